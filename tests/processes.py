"""Processes a test cannot wait for (not its children): whether they are gone, within a bound.

A process whose parent was killed is reparented and reaped by another; until then it is a
zombie, which has stopped: a zombie counts as gone."""

from __future__ import annotations

import time
from pathlib import Path


def running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (from /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # "pid (comm) state ...": comm may hold spaces, so split after its ')'.
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids still running after ``seconds`` at most."""
    deadline = time.monotonic() + seconds
    while (left := {pid for pid in pids if running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left
