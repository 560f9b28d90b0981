"""``scripts/bench``: run every benchmark, compare each figure with its target, and write
benchmarks/results/results.md, results.json and results.png (the README shows the last two)."""

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

from benchmarks import measure

RESULTS = Path(__file__).with_name("results")


@dataclass
class Row:
    name: str
    value: float
    target: float
    higher_is_better: bool
    detail: str

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def markdown(self) -> str:
        op = ">=" if self.higher_is_better else "<="
        return f"| {self.name} | {self.value:.2f} | {op} {self.target:g} | {'yes' if self.met else '**no**'} | {self.detail} |"


def median(values: list[float]) -> float:
    return statistics.median(values)


def collect(quick: bool) -> tuple[list[Row], dict[str, object]]:
    seconds, rounds, repeat = (3, 1, 9) if quick else (6, 3, 25)
    raw: dict[str, object] = {}
    load = measure.servers_under_load(seconds, rounds)
    raw["load"] = {name: [asdict(run) for run in runs] for name, runs in load.items()}
    mock_rps, prism_rps, noop_rps = (
        median([r.rps for r in load[n]]) for n in ("mock", "prism", "noop")
    )
    mock_p99, prism_p99 = (median([r.p99_ms for r in load[n]]) for n in ("mock", "prism"))
    large = measure.large_order_handling(repeat)
    client = measure.client_overhead(repeat)
    contract = measure.contract_run("quick" if quick else "default", 1 if quick else 2)
    regen = measure.regeneration()
    raw.update(large=large, client=client, contract=contract, regeneration=regen)
    rows = [
        Row(
            "mock / Prism, requests per second",
            mock_rps / prism_rps,
            2,
            True,
            f"{mock_rps:.0f} vs {prism_rps:.0f} req/s, 10-line order, 16 connections",
        ),
        Row(
            "mock p99 / Prism p99",
            mock_p99 / prism_p99,
            0.5,
            False,
            f"{mock_p99:.1f} ms vs {prism_p99:.1f} ms",
        ),
        Row(
            "mock / no-op endpoint, requests per second",
            mock_rps / noop_rps,
            0.6,
            True,
            f"{mock_rps:.0f} vs {noop_rps:.0f} req/s (same uvicorn stack)",
        ),
        Row(
            "1000-line order: handling / json.loads",
            large["handling_ms"] / large["json_loads_ms"],
            5,
            False,
            f"{large['handling_ms']:.1f} ms vs {large['json_loads_ms']:.1f} ms, {large['bytes'] / 1e6:.2f} MB",
        ),
        Row(
            "contract run / generation only",
            contract["full_s"] / contract["dry_s"],
            1.15,
            False,
            f"{contract['full_s']:.1f} s vs {contract['dry_s']:.1f} s, {contract['cases']} cases, "
            f"best of {len(contract['full_runs_s'])}",
        ),
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

    fig, ax = plt.subplots(figsize=(9, 4.2))
    names = [row.name for row in rows]
    # Plot each ratio against its target (1.0 = exactly on target; right of 1 = target met).
    scores = [
        row.value / row.target if row.higher_is_better else row.target / row.value for row in rows
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
    args = parser.parse_args(argv)
    rows, raw = collect(args.quick)
    write(rows, raw, args.quick)
    print((RESULTS / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
