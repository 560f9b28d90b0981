"""``scripts/contract-test`` (``python -m kustom_contract``): the contract run
(contract_tests/) with its own flags, its configuration checked (kustom_contract.config) and
its target probed before any case is generated.

Its flags work in any position; every other argument goes to pytest. A configuration mistake
or an unreachable target is one line on stderr and exit 2, before pytest starts; after that the
exit code is pytest's (the process becomes pytest).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from kustom_contract.config import (
    DEEP,
    DEFAULT,
    DEFAULT_LIVE_ORDER_BUDGET,
    DEFAULT_REQUEST_SECONDS,
    DEFAULT_RUN_SECONDS,
    DEPTHS,
    LONG_RUN_SECONDS,
    MAX_DEFAULT_PROCESSES,
    QUICK,
    RunConfig,
    default_processes,
)
from kustom_contract.errors import ConfigurationError, ContractError
from kustom_contract.target import DEFAULT_LIVE_RATE_LIMIT
from kustom_contract.transport import BoundedSession, TargetStopped
from kustom_contract.watchdog import Watchdog
from kustom_spec import REPO_ROOT

# Each depth but the default is a flag of its own name.
FLAGS = {f"--{depth.name}": depth.name for depth in (QUICK, DEEP)}
HELP = f"""usage: scripts/contract-test [{" | ".join(FLAGS)}] [--help] [pytest arguments]

The contract tests (Schemathesis + pytest) against the project's mock, spawned on a free
loopback port, or against the server KUSTOM_BASE_URL names. Reports go to
$KUSTOM_REPORTS_DIR (contract-junit.xml, contract-summary.json, contract-coverage.json,
contract-mock.log for the spawned mock, contract-failures/).

options (anywhere on the line):
  --{QUICK.name}     {QUICK.fuzzing_cases:,} fuzzing cases per operation, {QUICK.sequences} stateful sequences (KUSTOM_CONTRACT_DEPTH={QUICK.name})
  --{DEEP.name}      {DEEP.fuzzing_cases:,} fuzzing cases per operation, {DEEP.sequences} sequences (KUSTOM_CONTRACT_DEPTH={DEEP.name})
  --help      this text

environment (default in brackets):
  KUSTOM_CONTRACT_DEPTH     {" | ".join(DEPTHS)} [{DEFAULT.name}: {DEFAULT.fuzzing_cases:,} fuzzing cases per operation]
  KUSTOM_BASE_URL           a running server to test [unset: spawn the mock]
  KUSTOM_API_KEY            its API key [required with KUSTOM_BASE_URL]
  KUSTOM_USERNAME           the merchant's username [empty: the API key alone]
  KUSTOM_CUSTOMER_TOKEN     a token that can place orders [required with KUSTOM_BASE_URL]
  KUSTOM_LIVE               1 to allow a KUSTOM_BASE_URL off this machine [unset]
  KUSTOM_RATE_LIMIT         N/s, N/m, N/h or off [{DEFAULT_LIVE_RATE_LIMIT} for a KUSTOM_BASE_URL off this machine;
                            off for one on its loopback]
  KUSTOM_ALLOW_CANCEL       1, with KUSTOM_CANCEL_TOKEN, to test cancelling on a live server [unset]
  KUSTOM_CANCEL_TOKEN       the token that may be cancelled (burned) [unset]
  KUSTOM_ORDER_BUDGET       extra order requests the checks may send [{DEFAULT_LIVE_ORDER_BUDGET} with KUSTOM_BASE_URL;
                            none for the spawned mock, but a bad value is refused anyway]
  KUSTOM_SECOND_API_KEY     another merchant's API key, for the refusals that need one [unset]
  KUSTOM_SECOND_USERNAME    its username [empty: the API key alone]
  KUSTOM_SECOND_CUSTOMER_TOKEN  a token of its own, for an idempotency key two merchants use [unset]
  KUSTOM_KNOWN_DIFFERENCES  with KUSTOM_BASE_URL, a file of the target's accepted differences [unset]
  KUSTOM_PURCHASE_CURRENCY  the currency valid orders use [unset: a real one per case]
  KUSTOM_REQUEST_TIMEOUT    seconds one request may take, connecting to last byte [{DEFAULT_REQUEST_SECONDS:g}]
  KUSTOM_RUN_TIMEOUT        seconds the whole run may take [{DEFAULT_RUN_SECONDS:g} against the spawned mock;
                            {LONG_RUN_SECONDS:g} for --{DEEP.name} or with KUSTOM_BASE_URL]
  KUSTOM_REPORTS_DIR        where the reports go [reports]
  KUSTOM_CONTRACT_PROCESSES processes the run is spread over, its fuzzing split between them;
                            1: serial, in one process [{default_processes()}: one per core, at most {MAX_DEFAULT_PROCESSES}]

Every other argument goes to pytest (pytest --help lists them), e.g. -x, -k GET, --timeout=N.
No report holds the API key, the username with it, or a live target's tokens whole.
Exit 0: no failure; 1: a contract failure; 2: a configuration error, an unreachable target, or
a target that stalled, answered too slowly or not in HTTP, or a run past its bound (one line
says which); pytest's own codes otherwise: 4 a usage error, 5 no tests collected.
"""


@dataclass(frozen=True)
class Invocation:
    depth: str | None  # from a depth's flag (FLAGS); None: the environment's
    show_help: bool
    pytest_args: list[str]


def parse(argv: Sequence[str]) -> Invocation:
    depth: str | None = None
    show_help = False
    rest: list[str] = []
    for arg in argv:
        if arg in FLAGS:
            if depth is not None and depth != FLAGS[arg]:
                raise ConfigurationError(f"{' and '.join(FLAGS)} exclude each other: give one")
            depth = FLAGS[arg]
        elif arg in ("--help", "-h"):
            show_help = True
        else:
            rest.append(arg)
    return Invocation(depth, show_help, rest)


def check_environment(env: dict[str, str]) -> RunConfig:
    """Everything the run reads from the environment, checked before pytest starts (the run
    reads it again, in pytest's process, the same way)."""
    config = RunConfig.from_env(env)
    if config.target.base_url is not None:
        probe(config.target.base_url, config.bounds.request)
    return config


def probe(base_url: str, seconds: float) -> None:
    """One request to the target within the run's bound for a request, so that a dead, silent
    or dripping address is one line, not a traceback or a wait without end."""
    with BoundedSession(Watchdog(), seconds, base_url) as session:
        session.trust_env = False  # the target is checked, not a proxy in front of it
        try:
            session.get(base_url, timeout=seconds)
        except TargetStopped as stopped:
            raise ConfigurationError(
                f"KUSTOM_BASE_URL {base_url} {stopped.stop.did}: check the server and the URL"
            ) from None


def pytest_command(invocation: Invocation, run: RunConfig) -> list[str]:
    targets = [
        "contract_tests/test_contract.py",
        "contract_tests/test_provoked.py",
        "contract_tests/test_token_sequences.py",
    ]
    if run.target.is_mock:
        # The generated client against the mock; never against a live server (it places orders).
        targets.append("contract_tests/test_client_in_the_loop.py")
    # The suite's 300 s per test bounds the default run. The deep run and a run against another
    # server (each case a network round trip, rate-limited) get an hour.
    timeout = []
    if run.depth is DEEP or not run.target.is_mock:
        timeout = ["--timeout=3600"]
    # Spread over the run's processes (kustom_contract/spread.py); worksteal evens out tests of
    # unequal length, the shares of fuzzing and the short sequences. A worker that stops the
    # run (kustom_contract/stopping.py) ends it: xdist does not start another in its place.
    spread = []
    if run.processes > 1:
        spread = [
            *("-n", str(run.processes), "--dist", "worksteal", "--max-worker-restart", "0"),
            *("-p", "kustom_contract.spread"),
        ]
    return [
        sys.executable,
        "-m",
        "pytest",
        *targets,
        *spread,
        "-p",
        "no:cacheprovider",
        *timeout,
        f"--junitxml={run.reports.junit}",
        "-o",
        "junit_family=xunit2",
        *invocation.pytest_args,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        invocation = parse(sys.argv[1:] if argv is None else argv)
        if invocation.show_help:
            print(HELP, end="")
            return 0
        env = dict(os.environ)
        if invocation.depth is not None:
            env["KUSTOM_CONTRACT_DEPTH"] = invocation.depth
        run = check_environment(env)
    except ContractError as exc:
        print(f"scripts/contract-test: {exc}", file=sys.stderr)
        return exc.exit_code
    failures = run.reports.failures
    if failures.is_dir():
        for stale in [*failures.glob("*.json"), *failures.glob("*.body")]:
            stale.unlink()
    run.reports.folder.mkdir(parents=True, exist_ok=True)
    os.chdir(REPO_ROOT)
    command = pytest_command(invocation, run)
    os.execve(command[0], command, env)  # noqa: S606 (our own interpreter and arguments)


if __name__ == "__main__":
    sys.exit(main())
