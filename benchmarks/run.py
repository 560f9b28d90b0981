"""``scripts/bench``: run every benchmark, compare each figure with its target, and write
benchmarks/results/results.md, results.json and results.png (docs/benchmarks.md shows the last two)."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import measure

RESULTS = Path(__file__).with_name("results")


@dataclass
class Row:
    """One figure against its target; ``target`` None: shown as context, not judged."""

    name: str
    value: float
    target: float | None
    higher_is_better: bool
    detail: str

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def markdown(self) -> str:
        if self.target is None:
            return f"| {self.name} | {self.value:.2f} | (context) | | {self.detail} |"
        op = ">=" if self.higher_is_better else "<="
        return f"| {self.name} | {self.value:.2f} | {op} {self.target:g} | {'yes' if self.met else '**no**'} | {self.detail} |"


def median(values: list[float]) -> float:
    return statistics.median(values)


def load_rows(load: dict[str, list[measure.Load]], connections: int) -> list[Row]:
    """The servers under wrk, each as a ratio to Prism at its fastest (or to the mock)."""

    def rps(name: str) -> float:
        return median([r.rps for r in load[name]])

    def p99(name: str) -> float:
        return median([r.p99_ms for r in load[name]])

    how = f"10-line order, {connections} connections"
    rows = [
        Row(
            "mock / Prism, requests per second",
            rps("mock") / rps("prism"),
            2.5,
            True,
            f"{rps('mock'):.0f} vs {rps('prism'):.0f} req/s, {how}, Prism with -v error",
        ),
        Row(
            "mock p99 / Prism p99",
            p99("mock") / p99("prism"),
            0.5,
            False,
            f"{p99('mock'):.1f} ms vs {p99('prism'):.1f} ms",
        ),
        Row(
            "mock on PostgreSQL / Prism, requests per second",
            rps("mock on PostgreSQL") / rps("prism"),
            1.5,
            True,
            f"{rps('mock on PostgreSQL'):.0f} vs {rps('prism'):.0f} req/s; p99 "
            f"{p99('mock on PostgreSQL'):.1f} ms (one mock process, server on loopback)",
        ),
    ]
    rows.append(
        Row(
            "mock / mock --no-test-controls, requests per second",
            rps("mock") / rps("mock --no-test-controls"),
            None,
            True,
            f"{rps('mock'):.0f} vs {rps('mock --no-test-controls'):.0f} req/s, p99 "
            f"{p99('mock'):.1f} vs {p99('mock --no-test-controls'):.1f} ms (the test controls' "
            "cost: each order's body kept)",
        )
    )
    for name, store, alone in (
        ("mock --workers 2", "one SQLite file", "mock"),
        ("mock on PostgreSQL --workers 2", "one PostgreSQL database", "mock on PostgreSQL"),
    ):
        rows.append(
            Row(
                f"{name} / Prism, requests per second",
                rps(name) / rps("prism"),
                None,
                True,
                f"{rps(name):.0f} req/s ({rps(name) / rps(alone):.2f} x one process), p99 "
                f"{p99(name):.1f} ms ({store}; 2 cores shared with wrk)",
            )
        )
    rows.append(
        Row(
            "mock / no-op endpoint, requests per second",
            rps("mock") / rps("noop"),
            None,
            True,
            f"{rps('mock'):.0f} vs {rps('noop'):.0f} req/s (the same uvicorn stack answering "
            "without work: a ceiling, not a target)",
        )
    )
    return rows


def contract_rows(contract: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "contract run / generation only",
            contract["full_s"] / contract["dry_s"],
            1.15,
            False,
            f"{contract['full_s']:.1f} s vs {contract['dry_s']:.1f} s, {contract['cases']} cases, "
            f"serial, best of {len(contract['full_runs_s'])}",
        ),
        Row(
            f"contract run on {contract['processes']} processes / serial",
            contract["spread_s"] / contract["full_s"],
            0.6,
            False,
            f"{contract['spread_s']:.1f} s vs {contract['full_s']:.1f} s, "
            f"{contract['spread_cases']} vs {contract['cases']} cases, scripts/contract-test "
            f"whole, best of {len(contract['spread_runs_s'])}",
        ),
    ]


def collect(quick: bool) -> tuple[list[Row], dict[str, object]]:
    seconds, rounds, repeat, calls = (3, 1, 9, 2000) if quick else (6, 3, 25, 10000)
    connections = 32
    raw: dict[str, object] = {}
    load = measure.servers_under_load(seconds, rounds, connections)
    raw["load"] = {name: [asdict(run) for run in runs] for name, runs in load.items()}
    small = measure.small_order_handling(calls, RESULTS / "profile-10-line-order.txt")
    postgres = measure.postgres_order_handling(
        calls // 2, 32, RESULTS / "profile-postgres-order.txt"
    )
    large = measure.large_order_handling(repeat)
    reads = measure.read_against_order(calls)
    client = measure.client_overhead(repeat)
    contract = measure.contract_run("quick" if quick else "default", 1 if quick else 2)
    regen = measure.regeneration()
    raw.update(
        small=small,
        postgres=postgres,
        large=large,
        reads=reads,
        client=client,
        contract=contract,
        regeneration=regen,
    )
    rows = [
        *load_rows(load, connections),
        Row(
            "10-line order in process, microseconds",
            small["median_us"],
            70,
            False,
            f"per-call median of {small['calls']} ASGI calls (p90 {small['p90_us']:.0f} us), "
            f"{small['bytes']} bytes, committed to SQLite; profile in profile-10-line-order.txt",
        ),
        Row(
            "10-line order in process on PostgreSQL, microseconds of CPU",
            postgres["cpu_us"],
            None,
            False,
            f"{postgres['orders_per_s']:.0f} orders/s, 32 in flight on one event loop, no HTTP "
            "(the mock's process; the server's CPU apart); profile in profile-postgres-order.txt",
        ),
        Row(
            "token read / 10-line order, in process",
            reads["read_us"] / reads["order_us"],
            1,
            False,
            f"{reads['read_us']:.0f} us vs {reads['order_us']:.0f} us, per-call medians, "
            "interleaved on one SQLite file",
        ),
        Row(
            "1000-line order: handling / json.loads",
            large["handling_ms"] / large["json_loads_ms"],
            5,
            False,
            f"{large['handling_ms']:.1f} ms vs {large['json_loads_ms']:.1f} ms, {large['bytes'] / 1e6:.2f} MB",
        ),
        *contract_rows(contract),
        Row(
            "client layer / raw httpx, 1000-line order",
            client["client_ms"] / client["raw_httpx_ms"],
            1.3,
            False,
            f"{client['client_ms']:.1f} ms vs {client['raw_httpx_ms']:.1f} ms",
        ),
    ]
    raw["timings"] = {"regenerate_s": regen["regenerate_s"], "drift_check_s": regen["check_s"]}
    return rows, raw


def write(rows: list[Row], raw: dict[str, object], quick: bool) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    timings = raw["timings"]
    assert isinstance(timings, dict)
    lines = [
        f"Measured {when} on {platform.machine()}, Python {platform.python_version()}"
        f"{' (quick run)' if quick else ''}; each ratio side by side in one run.",
        "",
        "| figure | ratio | target | met | measured |",
        "| --- | --- | --- | --- | --- |",
        *[row.markdown() for row in rows],
        "",
        f"Regenerating the client: {timings['regenerate_s']:.1f} s; the drift check: {timings['drift_check_s']:.1f} s.",
        "",
        *[f"Note: {note}" for note in raw.get("notes", [])],  # type: ignore[attr-defined]
    ]
    (RESULTS / "results.md").write_text("\n".join(lines), encoding="utf-8")
    (RESULTS / "results.json").write_text(
        json.dumps(
            {
                "when": when,
                "quick": quick,
                "rows": [asdict(r) | {"met": r.met} for r in rows],
                "raw": raw,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    chart(rows)


def chart(rows: list[Row]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [row for row in rows if row.target is not None]  # context rows have no target
    fig, ax = plt.subplots(figsize=(9, 4.2))
    names = [row.name for row in rows]
    # Plot each ratio against its target (1.0 = exactly on target; right of 1 = target met).
    scores = [
        row.value / row.target if row.higher_is_better else row.target / row.value
        for row in rows
        if row.target is not None
    ]
    colours = ["#2e7d32" if row.met else "#c62828" for row in rows]
    ax.barh(names, scores, color=colours)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xlabel("measured relative to target (>= 1 meets it)")
    ax.invert_yaxis()
    for index, (row, score) in enumerate(zip(rows, scores, strict=True)):
        ax.text(score, index, f"  {row.value:.2f}", va="center", fontsize=8)
    ax.set_title("Benchmarks: ratios measured side by side")
    fig.tight_layout()
    fig.savefig(RESULTS / "results.png", dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="shorter loads and fewer repeats (a smoke run)"
    )
    parser.add_argument(
        "--contract",
        action="store_true",
        help="only the contract run's figures, printed (benchmarks/results/ left as it is)",
    )
    args = parser.parse_args(argv)
    if args.contract:
        contract = measure.contract_run(
            "quick" if args.quick else "default", 1 if args.quick else 2
        )
        for row in contract_rows(contract):
            print(row.markdown())
        return 0
    rows, raw = collect(args.quick)
    write(rows, raw, args.quick)
    print((RESULTS / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
