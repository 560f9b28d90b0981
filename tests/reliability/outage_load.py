"""Load on mock replicas while their store falters (issue 23, "Done when"): threads send orders
under fresh idempotency keys and cancels of fresh tokens, round the replicas, and record every
answer with how long it took; the checks then hold them to what the mock promises."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from kustom_servers.mock_process import RunningMock, child_pids, running_mock
from tests.mock.helpers import AUTH_A, MINIMAL_ORDER, PATH, STATUS_PATH, TOKEN_PATH

DEADLINE = 1.0  # each replica's --store-timeout
# What an answer may take beyond the deadline on a busy 2-core machine (reading the request,
# writing the answer, waiting for the process's turn): an answer queued behind others' deadlines
# would take several deadlines.
SLACK = 1.5


@dataclass(frozen=True)
class Answer:
    kind: str  # "order" or "cancel"
    key: str  # the order's idempotency key, or the cancelled token
    status: int | None  # None: no answer (its replica was killed)
    elapsed: float
    retry_after: str | None = None
    error_code: str | None = None
    content: bytes = field(default=b"", repr=False)

    @property
    def acknowledged(self) -> bool:
        return self.status == (200 if self.kind == "order" else 202)


@contextmanager
def replica(db: str, *extra: str) -> Iterator[RunningMock]:
    """A mock of two workers on ``db``, the store's deadline DEADLINE."""
    args = ["--workers", "2", "--store-timeout", str(DEADLINE), "--log-level", "warning", *extra]
    with running_mock(db, args) as mock:
        yield mock


def kill_9(mock: RunningMock, *, workers_only: bool = False) -> list[int]:
    """SIGKILL a replica's workers (and its supervisor unless ``workers_only``); their pids."""
    pids = child_pids(mock.process.pid)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    if not workers_only:
        mock.process.kill()
        mock.process.wait(timeout=10)
    return pids


class Load:
    """``threads`` threads sending, in turn, three orders and a cancel to ``targets`` (a list
    the test may change: a replica replaced) until stopped."""

    def __init__(self, targets: list[str], threads: int = 6) -> None:
        self.targets = targets
        self.answers: list[Answer] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def count(self, test: Callable[[Answer], bool]) -> int:
        with self._changed:
            return sum(1 for answer in self.answers if test(answer))

    def wait_for(self, test: Callable[[Answer], bool], count: int, timeout: float = 60) -> None:
        """Until ``count`` more answers pass ``test`` than now (a signal, bounded by
        ``timeout`` for a mock that never gets there)."""
        with self._changed:
            goal = sum(1 for answer in self.answers if test(answer)) + count
            if not self._changed.wait_for(
                lambda: sum(1 for a in self.answers if test(a)) >= goal, timeout
            ):
                raise AssertionError(f"fewer than {count} such answers in {timeout} s")

    def _run(self, index: int) -> None:
        clients: dict[str, httpx.Client] = {}
        turn = index
        try:
            while not self._stop.is_set():
                turn += 1
                targets = list(self.targets)
                base_url = targets[turn % len(targets)]
                if base_url not in clients:
                    # Timeout far past the deadline: an answer that waits is measured, not cut.
                    clients[base_url] = httpx.Client(base_url=base_url, auth=AUTH_A, timeout=30)
                answer = self._send(clients[base_url], "cancel" if turn % 4 == 0 else "order")
                with self._changed:
                    self.answers.append(answer)
                    self._changed.notify_all()
        finally:
            for client in clients.values():
                client.close()

    @staticmethod
    def _send(http: httpx.Client, kind: str) -> Answer:
        started = time.monotonic()
        if kind == "order":
            key = f"k-{uuid.uuid4()}"
            request = http.build_request(
                "POST",
                PATH.format("tok_active"),
                json=MINIMAL_ORDER,
                headers={"Klarna-Idempotency-Key": key},
            )
        else:
            key = f"tok_fresh_{uuid.uuid4().hex}"
            request = http.build_request(
                "PATCH", STATUS_PATH.format(key), json={"status": "CANCELLED"}
            )
        try:
            response = http.send(request)
        except httpx.TransportError:
            return Answer(kind, key, None, time.monotonic() - started)
        elapsed = time.monotonic() - started
        code = response.json().get("error_code") if response.status_code >= 400 else None
        return Answer(
            kind,
            key,
            response.status_code,
            elapsed,
            response.headers.get("Retry-After"),
            code,
            response.content,
        )


def assert_honest(answers: Sequence[Answer]) -> None:
    """Every answer 2xx, 4xx, or 503 SERVICE_UNAVAILABLE with Retry-After, within the deadline
    (and SLACK); none a 500."""
    for answer in answers:
        if answer.status is None:
            continue  # the replica was killed: no answer, nothing acknowledged
        if answer.status >= 500:
            assert answer.status == 503, answer
            assert answer.error_code == "SERVICE_UNAVAILABLE", answer
            assert answer.retry_after == "1", answer
        assert answer.elapsed < DEADLINE + SLACK, answer


def assert_kept(answers: Sequence[Answer], base_url: str) -> int:
    """assert_honest, then: every acknowledged order replays identically under its key (through
    ``base_url``), every acknowledged cancel holds (the token reads CANCELLED); the number of
    acknowledged orders."""
    assert_honest(answers)
    orders = [a for a in answers if a.acknowledged and a.kind == "order"]
    cancels = [a for a in answers if a.acknowledged and a.kind == "cancel"]
    with httpx.Client(base_url=base_url, auth=AUTH_A, timeout=30) as http:
        for order in orders:
            replay = http.post(
                PATH.format("tok_active"),
                json=MINIMAL_ORDER,
                headers={"Klarna-Idempotency-Key": order.key},
            )
            assert replay.status_code == 200, (order, replay.text)
            assert replay.headers.get("Idempotent-Replayed") == "true", order
            assert replay.content == order.content, order
        for cancel in cancels:
            read = http.get(TOKEN_PATH.format(cancel.key))
            assert read.json()["status"] == "CANCELLED", (cancel, read.text)
    return len(orders)


def serves_again(*base_urls: str, timeout: float = 30) -> float:
    """Seconds until every replica has placed an order again (each asked every 0.1 s, at most
    ``timeout``): what a client would see once the store is back."""
    started = time.monotonic()
    for base_url in base_urls:
        with httpx.Client(base_url=base_url, auth=AUTH_A, timeout=30) as http:
            while (answer := http.post(PATH.format("tok_active"), json=MINIMAL_ORDER)).is_error:
                assert answer.status_code == 503, answer.text
                if time.monotonic() - started > timeout:
                    raise AssertionError(f"{base_url} did not serve again within {timeout} s")
                time.sleep(0.1)
    return time.monotonic() - started
