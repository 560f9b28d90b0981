"""The contract run's configuration, read once from the environment: its target, its depth,
its bounds, its redaction, the session it sends on and the schema Schemathesis generates from
(built at import: pytest parametrizes the tests from it at collection, before any fixture runs).

Target: the project's mock, spawned on a free loopback port with a fresh database (default),
or the server KUSTOM_BASE_URL names (src/kustom_devtools/target.py). Depth, order budget and
bounds: KUSTOM_CONTRACT_DEPTH, KUSTOM_ORDER_BUDGET, KUSTOM_REQUEST_TIMEOUT and KUSTOM_RUN_TIMEOUT
(src/kustom_devtools/contract_settings.py). Redaction: src/kustom_devtools/contract_redaction.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from schemathesis.schemas import BaseSchema

from contract_tests import checks, extra_requests, hooks
from contract_tests.auth import BothForms, Credentials
from kustom_conformance import without_contract_limits
from kustom_devtools.contract_redaction import run_redaction
from kustom_devtools.contract_settings import (
    Bounds,
    Depth,
    SettingError,
    bounds_from_env,
    depth_from_env,
)
from kustom_devtools.contract_transport import BoundedSession
from kustom_devtools.contract_watchdog import RunClock, Watchdog
from kustom_devtools.target import Target, TargetError, target_from_env
from kustom_spec import REPO_ROOT, load_spec

REPORTS = Path(os.environ.get("KUSTOM_REPORTS_DIR", REPO_ROOT / "reports"))
FAILURES_DIR = REPORTS / "contract-failures"


def _depth() -> Depth:
    try:
        return depth_from_env(os.environ)
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None


def _bounds(target: Target, depth: Depth) -> Bounds:
    try:
        return bounds_from_env(os.environ, depth, spawned_mock=target.is_mock)
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None


def _target() -> Target:
    try:
        return target_from_env()
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None


def build_schema(target: Target, depth: Depth, bounds: Bounds) -> BaseSchema:
    """The spec as Schemathesis tests it against ``target``: the contract's own limits only
    against the project's mock, status changes only where cancelling is allowed, politely
    rate-limited against any other server; each read bounded as each request is (the requests
    Schemathesis sends on a session of its own, its auth probes, are bounded per read only)."""
    document = load_spec().document
    if not target.is_mock:
        document = without_contract_limits(document)
    schema: BaseSchema = schemathesis.openapi.from_dict(document)
    if not target.can_cancel:
        schema = schema.exclude(operation_id="patchCustomerToken")
        schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    if target.rate_limit is not None:
        schema.config.update(rate_limit=target.rate_limit)
    schema.config.generation.update(max_examples=depth.fuzzing_cases)
    schema.config.update(request_timeout=bounds.request)

    class RunCredentials(BothForms):
        def __init__(self) -> None:
            super().__init__(Credentials(target.username, target.api_key))

    schema.auth(refresh_interval=None)(RunCredentials)
    return schema


# Credentials and depth are bound when pytest builds the test from the schema (at collection);
# only the base URL waits for the target to be listening (contract_tests/test_contract.py,
# schema_sends_to_the_target).
TARGET = _target()
DEPTH = _depth()
BOUNDS = _bounds(TARGET, DEPTH)
REDACTION = run_redaction(TARGET)
WATCHDOG = Watchdog()
CLOCK = RunClock(WATCHDOG, BOUNDS.run)
# Every request of the run but Schemathesis' auth probes goes through it: the cases, the
# checks' re-sent requests, the stateful phase and the run's own checks (extra_requests.py).
SESSION = BoundedSession(WATCHDOG, BOUNDS.request, TARGET.describe())
SCHEMA = build_schema(TARGET, DEPTH, BOUNDS)
hooks.configure(TARGET)
try:
    extra_requests.configure(TARGET, SESSION)
except SettingError as exc:
    raise pytest.UsageError(str(exc)) from None
_ = checks  # registers the run's own checks with Schemathesis
