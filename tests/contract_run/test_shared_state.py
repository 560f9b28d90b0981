"""What a run spread over processes shares (kustom_contract/state.py, spread.py): a budget
spent once by processes that race for it, a token cancelled in one process known in another,
the rate limit drawn from one bucket, the statistics summed, the progress read from the
workers' notes."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from kustom_conformance import KeyRecord, TokenRecord
from kustom_contract.spread import Beacon, RunView
from kustom_contract.state import (
    Ledger,
    LocalTally,
    SharedMemory,
    SharedTally,
    Tally,
    shared_limiter,
)
from kustom_contract.stats import RunStats


def _spend(folder: str, tries: int, spent: multiprocessing.Queue[int]) -> None:
    ledger = Ledger(budget=50, tally=SharedTally(Path(folder)))
    spent.put(sum(ledger.spend_order_request() for _ in range(tries)))


def test_a_budget_is_spent_once_by_processes_racing_for_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    spent: multiprocessing.Queue[int] = context.Queue()
    racers = [context.Process(target=_spend, args=(str(tmp_path), 40, spent)) for _ in range(3)]
    for racer in racers:
        racer.start()
    taken = [spent.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    assert sum(taken) == 50, taken  # 120 tries, a budget of 50
    assert Ledger(50, SharedTally(tmp_path)).extra_order_requests == 50


def _cancel(folder: str) -> None:
    SharedMemory(Path(folder)).keep_token("tok_fresh_x", TokenRecord("merchant-a", cancelled=True))


def test_a_token_cancelled_in_one_process_is_cancelled_in_another(tmp_path: Path) -> None:
    memory = SharedMemory(tmp_path)
    memory.keep_token("tok_fresh_x", TokenRecord("merchant-a"))
    other = multiprocessing.get_context("spawn").Process(target=_cancel, args=(str(tmp_path),))
    other.start()
    other.join(timeout=60)
    assert other.exitcode == 0
    assert memory.token("tok_fresh_x") == TokenRecord("merchant-a", cancelled=True)
    assert memory.token("tok_unknown") is None


def test_keys_are_kept_per_merchant_and_found_across_merchants(tmp_path: Path) -> None:
    memory = SharedMemory(tmp_path)
    record = KeyRecord("fingerprint", 200, "digest", 1.5)
    memory.keep_key("merchant-a", "key-1", record)
    assert SharedMemory(tmp_path).key("merchant-a", "key-1") == record
    assert memory.key("merchant-b", "key-1") is None
    assert memory.others_key("merchant-b", "key-1") == record
    assert memory.others_key("merchant-a", "key-1") is None
    memory.forget_key("merchant-a", "key-1")
    assert memory.key("merchant-a", "key-1") is None


def _tallies(tmp_path: Path) -> list[Tally]:
    return [LocalTally(), SharedTally(tmp_path)]


def test_both_tallies_count_take_and_keep_sets_and_notes_alike(tmp_path: Path) -> None:
    for tally in _tallies(tmp_path):
        assert tally.count("n") == 0
        assert tally.add("n") == 1
        assert tally.add("n", 4) == 5
        assert [tally.take("t", 2) for _ in range(3)] == [True, True, False]
        assert tally.take("zero", 0) is False
        assert tally.add_member("s", "a") is True
        assert tally.add_member("s", "a") is False
        tally.add_member("s", "b")
        assert tally.members("s") == {"a", "b"}
        assert tally.members("other") == frozenset()
        tally.note("progress:gw0", "one")
        tally.note("progress:gw0", "two")
        tally.note("else", "x")
        assert tally.notes("progress:") == {"progress:gw0": "two"}


def test_an_order_replayed_is_counted_once(tmp_path: Path) -> None:
    ledger = Ledger(None, SharedTally(tmp_path))
    ledger.note_order_answer(200, {"order_id": "o-1"})
    ledger.note_order_answer(200, {"order_id": "o-1"})  # a replay of the same order
    ledger.note_order_answer(200, {"no": "id"})
    ledger.note_order_answer(400, {"order_id": "o-2"})
    assert ledger.orders_placed == 2
    assert Ledger(None, SharedTally(tmp_path)).orders_placed == 2


def test_the_rate_limit_is_one_bucket_for_every_limiter_of_the_run(tmp_path: Path) -> None:
    first = shared_limiter(tmp_path, "3/m")
    second = shared_limiter(tmp_path, "3/m")
    # Blocking, as Schemathesis asks (a fourth request within the minute waits): bounded here.
    taken = [first.try_acquire("target", timeout=1) for _ in range(2)]
    taken += [second.try_acquire("target", timeout=1) for _ in range(2)]
    assert taken == [True, True, True, False]


def test_the_statistics_of_the_processes_are_summed() -> None:
    one, two = RunStats(target="t"), RunStats(target="t")
    one.record("createOrder", "fuzzing", "positive", 200)
    two.record("createOrder", "fuzzing", "positive", 403)
    two.record("readCustomerToken", "examples", "negative", 400)
    two.checks["refusals"] += 2
    two.failures.append("a failure")
    two.stop("stopped: why")
    total = RunStats(target="t")
    for stats in (one, two):
        total.add_parts(json.loads(json.dumps(stats.parts())))  # as xdist carries them
    assert total.cases[("createOrder", "fuzzing", "positive")] == 2
    assert total.statuses == {200: 1, 403: 1, 400: 1}
    assert total.positive_2xx_share == 0.5
    assert total.negative["rejected"] == 1
    assert total.checks["refusals"] == 2
    assert total.failures == ["a failure"]
    assert total.stopped == "stopped: why"


def test_the_progress_is_the_sum_of_the_workers_notes(tmp_path: Path) -> None:
    tally = SharedTally(tmp_path)
    view = RunView(tally)
    assert view.refresh() is False  # no worker has started its run: nothing to report
    for worker, (cases, started) in {"gw0": (3, 100.0), "gw1": (2, 99.0)}.items():
        stats = RunStats(started=started)
        for _ in range(cases):
            stats.record("createOrder", "fuzzing", "positive", 200)
        stats.failures.append("one")
        Beacon(stats, tally, worker).tick()
    assert view.refresh() is True
    assert (view.total, view.failed, view.started) == (5, 2, 99.0)
    assert view.phase == "fuzzing (createOrder)"
