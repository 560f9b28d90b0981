"""The spec as Schemathesis tests it against the run's target: built once per process from the
run's configuration, at the contract test module's import, since pytest parametrizes the tests
from it at collection (the one thing the run builds before its session fixture; its base URL
waits for the target to listen, kustom_contract/run.py)."""

from __future__ import annotations

import copy
from functools import cache

import schemathesis
from schemathesis.schemas import BaseSchema

from kustom_conformance import without_contract_limits
from kustom_contract.auth import BothForms, Credentials
from kustom_contract.config import RunConfig, configured
from kustom_contract.hooks import CaseMapper
from kustom_spec import load_spec

STATUS_CHANGE = "patchCustomerToken"


def build_schema(config: RunConfig) -> BaseSchema:
    """The contract's own limits only against the project's mock, status changes only where
    cancelling is allowed, politely rate-limited against any other server; each read bounded as
    each request is (the requests Schemathesis sends on a session of its own, its auth probes,
    are bounded per read only); the hooks and credentials registered on this schema alone."""
    target = config.target
    # A copy: the cases Schemathesis makes from the examples are their objects, and the run's
    # hooks repair a case's body in place, which must not reach the spec the rest of this
    # process reads (a refused order example once came out repaired).
    document = copy.deepcopy(load_spec().document)
    if not target.is_mock:
        document = without_contract_limits(document)
    schema: BaseSchema = schemathesis.openapi.from_dict(document)
    if not target.can_cancel:
        schema = schema.exclude(operation_id=STATUS_CHANGE)
        schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    if target.rate_limit is not None:
        schema.config.update(rate_limit=target.rate_limit)
    # Its share of the fuzzing cases: all of them unless the run is spread (shards.py).
    schema.config.generation.update(max_examples=config.fuzzing_share(0))
    schema.config.update(request_timeout=config.bounds.request)
    CaseMapper(target).register(schema)

    class RunCredentials(BothForms):
        def __init__(self) -> None:
            super().__init__(Credentials(target.username, target.api_key))

    schema.auth(refresh_interval=None)(RunCredentials)
    return schema


@cache
def run_schema() -> BaseSchema:
    """This process's schema, from its configuration (kustom_contract.config.configured)."""
    return build_schema(configured())
