"""The contract run's configuration, read once from the environment into one ``RunConfig``:
by scripts/contract-test (checked before pytest starts, and shown in its --help) and by the run
itself (the pytest plugin, and the contract test module, which builds its schema from it at
import: pytest parametrizes from the schema at collection).

- the target: KUSTOM_BASE_URL and its variables (kustom_contract/target.py);
- KUSTOM_CONTRACT_DEPTH: how many cases the run generates (``DEPTHS``);
- KUSTOM_ORDER_BUDGET: against a server other than the spawned mock, how many extra order
  requests the run's own checks may send (each may place a real order);
- KUSTOM_REQUEST_TIMEOUT and KUSTOM_RUN_TIMEOUT: how long one request (connect to last byte)
  and the whole run may take before the run stops (``Bounds``);
- KUSTOM_REPORTS_DIR: where the reports go (``Reports``);
- KUSTOM_CONTRACT_PROCESSES: how many processes scripts/contract-test spreads the run over
  (kustom_contract/spread.py; 1: serially, in one);
- KUSTOM_KNOWN_DIFFERENCES: against KUSTOM_BASE_URL, a file of the target's known, accepted
  differences (kustom_contract/known_differences.py);
- KUSTOM_CONTRACT_DRY=1: the project's own seam for scripts/bench, every case generated and
  none sent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kustom_contract.errors import SettingError
from kustom_contract.target import Target, target_from_env
from kustom_spec import REPO_ROOT


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
DEFAULT_REPORTS_DIR = "reports"
# A process per core: case generation is what bounds a run against the mock. More than four
# would only split the fuzzing of each operation finer than its startup is worth.
MAX_DEFAULT_PROCESSES = 4


def default_processes() -> int:
    """The cores this process may run on (all of them where the OS cannot say), at most
    MAX_DEFAULT_PROCESSES."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_PROCESSES))


def processes_from_env(env: Mapping[str, str]) -> int:
    value = env.get("KUSTOM_CONTRACT_PROCESSES", "").strip()
    if not value:
        return default_processes()
    if not value.isdigit() or int(value) < 1:
        raise SettingError(
            f"KUSTOM_CONTRACT_PROCESSES must be a whole number from 1, not {value!r}"
        )
    return int(value)


KNOWN_DIFFERENCES_ENV = "KUSTOM_KNOWN_DIFFERENCES"
# Not kustom_release's baseline (the release gate's): what a live target is known to do.
DEFAULT_KNOWN_DIFFERENCES = REPO_ROOT / "contract-known-differences.yaml"


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


@dataclass(frozen=True)
class Reports:
    """Where the run writes (KUSTOM_REPORTS_DIR, relative to the repository's root)."""

    folder: Path

    @property
    def junit(self) -> Path:
        return self.folder / "contract-junit.xml"

    @property
    def summary(self) -> Path:
        return self.folder / "contract-summary.json"

    @property
    def mock_log(self) -> Path:
        return self.folder / "contract-mock.log"

    @property
    def failures(self) -> Path:
        return self.folder / "contract-failures"

    @property
    def coverage(self) -> Path:
        return self.folder / "contract-coverage.json"

    @property
    def coverage_parts(self) -> Path:
        """Each process's coverage record, merged into ``coverage`` at the end."""
        return self.folder / "contract-coverage-parts"


@dataclass(frozen=True)
class RunConfig:
    """Everything the run reads from the environment, checked as it is read."""

    target: Target
    depth: Depth
    bounds: Bounds
    order_budget: int | None  # extra order requests the checks may send; None: no limit
    reports: Reports
    dry: bool  # KUSTOM_CONTRACT_DRY=1: generate every case, send none (scripts/bench)
    processes: int = 1  # how many the run is spread over (its fuzzing split as many ways)
    known_differences: Path | None = None  # KUSTOM_KNOWN_DIFFERENCES, live runs only

    def fuzzing_share(self, index: int) -> int:
        """How many fuzzing cases per operation share ``index`` of the run generates: the
        depth's, split between its processes (kustom_contract/shards.py)."""
        whole, rest = divmod(self.depth.fuzzing_cases, self.processes)
        return whole + (1 if index < rest else 0)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RunConfig:
        """A SettingError naming the first variable the run cannot use."""
        depth = depth_from_env(env)
        budget = order_budget_from_env(env)  # read even for the spawned mock: a typo shows
        target = target_from_env(dict(env))
        return cls(
            target=target,
            depth=depth,
            bounds=bounds_from_env(env, depth, spawned_mock=target.is_mock),
            order_budget=None if target.is_mock else budget,
            reports=Reports(REPO_ROOT / env.get("KUSTOM_REPORTS_DIR", DEFAULT_REPORTS_DIR)),
            dry=env.get("KUSTOM_CONTRACT_DRY") == "1",
            processes=processes_from_env(env),
            known_differences=known_differences_from_env(env, spawned_mock=target.is_mock),
        )


def known_differences_from_env(env: Mapping[str, str], *, spawned_mock: bool) -> Path | None:
    """KUSTOM_KNOWN_DIFFERENCES (relative to the working directory), else the repository's
    contract-known-differences.yaml: only for a run through KUSTOM_BASE_URL (the project's mock
    has no accepted differences)."""
    value = env.get(KNOWN_DIFFERENCES_ENV, "").strip()
    if spawned_mock:
        if value:
            raise SettingError(
                f"{KNOWN_DIFFERENCES_ENV} is for a run against KUSTOM_BASE_URL: the project's "
                "mock has no accepted differences"
            )
        return None
    if not value:
        return DEFAULT_KNOWN_DIFFERENCES if DEFAULT_KNOWN_DIFFERENCES.is_file() else None
    path = Path(value)
    if not path.is_file():
        raise SettingError(f"{KNOWN_DIFFERENCES_ENV}: no such file: {value!r}")
    return path


@cache
def configured() -> RunConfig:
    """This process's configuration, read from its environment once (a SettingError if a
    variable is wrong)."""
    return RunConfig.from_env(os.environ)
