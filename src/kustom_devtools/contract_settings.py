"""The contract run's settings from the environment, read in one place: by scripts/contract-test
(checked before pytest starts, and shown in its --help) and by the run itself
(contract_tests/run.py, contract_tests/extra_requests.py).

- KUSTOM_CONTRACT_DEPTH: how many cases the run generates (``DEPTHS``);
- KUSTOM_ORDER_BUDGET: against a server other than the spawned mock, how many extra order
  requests the run's own checks may send (each may place a real order);
- KUSTOM_REQUEST_TIMEOUT and KUSTOM_RUN_TIMEOUT: how long one request (connect to last byte)
  and the whole run may take before the run stops (``Bounds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Depth:
    name: str
    fuzzing_cases: int  # per operation
    sequences: int  # of the stateful phase, each up to a few requests


QUICK = Depth("quick", 150, 10)
DEFAULT = Depth("default", 700, 40)
DEEP = Depth("deep", 4000, 400)
DEPTHS = {depth.name: depth for depth in (QUICK, DEFAULT, DEEP)}
DEFAULT_LIVE_ORDER_BUDGET = 20
# A request to the mock takes milliseconds, one to a playground well under a second: ten
# seconds from connecting to the last byte is a server that stalls, not a slow one.
DEFAULT_REQUEST_SECONDS = 10.0
# The default run takes about a minute here: a quarter of an hour leaves room for a busy CI
# machine. A deep run, or any run through KUSTOM_BASE_URL (a network round trip per case,
# rate-limited), gets three hours.
DEFAULT_RUN_SECONDS = 900.0
LONG_RUN_SECONDS = 3 * 3600.0


class SettingError(ValueError):
    """A variable with a value the run cannot use; the message names it and what it may be."""


def depth_from_env(env: Mapping[str, str]) -> Depth:
    value = env.get("KUSTOM_CONTRACT_DEPTH", DEFAULT.name)
    if value not in DEPTHS:
        raise SettingError(
            f"KUSTOM_CONTRACT_DEPTH must be one of {', '.join(DEPTHS)}, not {value!r}"
        )
    return DEPTHS[value]


def order_budget_from_env(env: Mapping[str, str]) -> int:
    """The extra order requests allowed against a server other than the spawned mock."""
    value = env.get("KUSTOM_ORDER_BUDGET", str(DEFAULT_LIVE_ORDER_BUDGET)).strip()
    if not value.isdigit():
        raise SettingError(f"KUSTOM_ORDER_BUDGET must be a whole number, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Bounds:
    """How long the run may wait: ``request`` seconds for one request (connecting, sending and
    reading the whole answer), ``run`` seconds for the whole run (the time its tests spend)."""

    request: float
    run: float

    def describe(self) -> str:
        return (
            f"at most {self.request:g} s per request (KUSTOM_REQUEST_TIMEOUT) and "
            f"{self.run:g} s for the run (KUSTOM_RUN_TIMEOUT)"
        )


def default_run_seconds(depth: Depth, *, spawned_mock: bool) -> float:
    return DEFAULT_RUN_SECONDS if spawned_mock and depth is not DEEP else LONG_RUN_SECONDS


def bounds_from_env(env: Mapping[str, str], depth: Depth, *, spawned_mock: bool) -> Bounds:
    return Bounds(
        _seconds(env, "KUSTOM_REQUEST_TIMEOUT", DEFAULT_REQUEST_SECONDS),
        _seconds(env, "KUSTOM_RUN_TIMEOUT", default_run_seconds(depth, spawned_mock=spawned_mock)),
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise SettingError(f"{name} must be a number of seconds above 0, not {value!r}")
    return seconds
