"""The contract run's settings from the environment, read in one place: by scripts/contract-test
(checked before pytest starts, and shown in its --help) and by the run itself
(contract_tests/run.py, contract_tests/extra_requests.py).

- KUSTOM_CONTRACT_DEPTH: how many cases the run generates (``DEPTHS``);
- KUSTOM_ORDER_BUDGET: against a server other than the spawned mock, how many extra order
  requests the run's own checks may send (each may place a real order).
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
