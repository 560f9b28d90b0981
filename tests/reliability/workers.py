"""A mock with ``--workers 2``: which of its processes serve, and bursts that reach both."""

from __future__ import annotations

import re

import httpx

from kustom_servers.mock_process import RunningMock
from tests.mock.helpers import FULL_ORDER, PATH, at_once

ACCESS_PID = re.compile(r"kustom_mock\.access \[(\d+)\]")


def serving_pids(mock: RunningMock) -> set[int]:
    """The processes that wrote an access line (the log format carries the pid)."""
    return {int(pid) for pid in ACCESS_PID.findall(mock.log())}


def burst(mock: RunningMock, count: int, key: str | None = None) -> list[httpx.Response]:
    """``count`` concurrent orders, each on its own connection."""
    return at_once(
        [mock.base_url], "POST", PATH.format("tok_active"), json=FULL_ORDER, key=key, times=count
    )


def both_serving(mock: RunningMock, count: int = 16) -> set[int]:
    """The two workers' pids, once both have answered: which one wins a connection is the
    kernel's choice, so keyless bursts of ``count`` orders (at most 5) until both have."""
    for _ in range(5):
        if len(serving_pids(mock)) == 2:
            break
        assert {r.status_code for r in burst(mock, count)} == {200}
    return serving_pids(mock)
