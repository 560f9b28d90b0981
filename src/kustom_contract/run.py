"""One contract run: ``ContractRun`` holds what the run is made of once its target listens (its
configuration, schema, redaction, the watchdog and clock that bound it, the session it sends
on, its state and its checks) and runs each generated case and the stateful sequences. Built
by the pytest plugin's session fixture (kustom_contract/plugin.py), once per pytest session.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, settings
from schemathesis.generation.case import Case
from schemathesis.schemas import BaseSchema

from kustom_conformance import Conformance
from kustom_contract.answers import (
    mode,
    must_reject,
    phase,
    round_trip_through_the_client,
    write_failure,
)
from kustom_contract.cases import operation_id
from kustom_contract.checks import ProseChecks
from kustom_contract.config import RunConfig
from kustom_contract.coverage import enum_fields
from kustom_contract.known_differences import KnownDifferences, findings_of
from kustom_contract.provocations import Provocation
from kustom_contract.provoking import Outcome, provoke
from kustom_contract.redaction import RunRedaction
from kustom_contract.shards import other_shares
from kustom_contract.state import RunState, new_state, shared_limiter
from kustom_contract.stats import RunStats
from kustom_contract.transport import BoundedSession
from kustom_contract.watchdog import RunClock, Watchdog

STEPS = 6  # requests in a sequence of the stateful phase, at most (depth.sequences of them)


@dataclass
class ContractRun:
    config: RunConfig
    schema: BaseSchema
    base_url: str
    redaction: RunRedaction
    watchdog: Watchdog
    clock: RunClock
    # Every request of the run but Schemathesis' auth probes goes through it: the cases, the
    # checks' re-sent requests, the stateful phase and the run's own checks. One keep-alive
    # connection for the run (a new one per case cost about a millisecond each).
    session: BoundedSession
    state: RunState
    checks: ProseChecks
    # A live target's known differences (KUSTOM_KNOWN_DIFFERENCES): a failing case whose every
    # finding is one of them passes, counted in the summary.
    known: KnownDifferences

    @classmethod
    def start(
        cls,
        config: RunConfig,
        schema: BaseSchema,
        redaction: RunRedaction,
        base_url: str,
        stats: RunStats,
        shared: Path | None = None,
    ) -> ContractRun:
        """The run against ``base_url`` (the target, listening): the schema pointed at it, so
        that the requests Schemathesis builds itself (its checks that re-send a case, the
        stateful phase's links) go there too. In the main thread (the watchdog's signal).
        ``shared``: the folder this process shares with the run's others (its state and rate
        limit), when the run is spread over several (kustom_contract/spread.py)."""
        target = config.target
        # The run's schema and its other shares of fuzzing (shards.py): one target, and one
        # rate limit for them all (each schema would otherwise keep its own).
        limiter = schema.config.rate_limit
        if shared is not None and target.rate_limit is not None:
            limiter = shared_limiter(shared, target.rate_limit)
        for each in (schema, *(share.schema for share in other_shares())):
            each.config.update(base_url=base_url)
            each.config.rate_limit = limiter
        # The run starts now (its rate and the progress lines' clock), not with the session:
        # scripts/test runs other tests first.
        stats.started = time.monotonic()
        watchdog = Watchdog()
        session = BoundedSession(watchdog, config.bounds.request, target.describe())
        session.trust_env = not target.is_local  # no proxy lookup on loopback (it is per call)
        conformance = Conformance(contract_limits=target.is_mock)
        state = new_state(stats, conformance, config.order_budget, shared)
        checks = ProseChecks(
            conformance,
            state.history,
            session,
            state.ledger,
            stats.checks,
            base_path=urlsplit(base_url).path.rstrip("/"),
            coverage=state.coverage,
        )
        known = KnownDifferences(seen=state.coverage.known)  # counted where coverage is
        if config.known_differences is not None:
            known.entries = KnownDifferences.load(config.known_differences).entries
        return cls(
            config,
            schema,
            base_url,
            redaction,
            watchdog,
            RunClock(watchdog, config.bounds.run),
            session,
            state,
            checks,
            known,
        )

    @property
    def _transport(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "session": self.session}

    def test_case(self, case: Case[Any]) -> None:
        """Send one generated case and hold its answer to every check (the built-in ones, the
        run's own, and the generated client's models); a failure leaves a replayable record."""
        if self.config.dry:
            self.state.stats.record(
                operation_id(case), phase(case), mode(case), 0, must_reject=False
            )
            return
        response = case.call(**self._transport)
        self.record(case, response)
        try:
            # The checks that re-send a request reuse the run's session, except the auth
            # probes, which Schemathesis sends on a session of their own so that no credential
            # leaks into them.
            case.validate_response(
                response, additional_checks=self.checks.all, transport_kwargs=self._transport
            )
            round_trip_through_the_client(case, response)
        except BaseException as error:
            if self.is_known(case, error):
                return
            self.note_failure(case, response, error)
            raise

    def is_known(self, case: Case[Any], error: BaseException) -> bool:
        """Whether a failure is one of the target's known differences (counted if so)."""
        if not self.known.entries or not isinstance(error, AssertionError | BaseExceptionGroup):
            return False
        return self.known.known(findings_of(operation_id(case), error))

    def provoke(self, provocation: Provocation, base_url: str | None = None) -> Outcome:
        """One deliberate case (kustom_contract/provoking.py), against ``base_url`` if given (a
        second instance of the mock, rate-limited). A dry run sends none."""
        if self.config.dry:
            return Outcome(skipped="a dry run sends nothing")
        return provoke(self, provocation, base_url or self.base_url)

    def run_sequences(self) -> None:
        """Sequences that follow the spec's links (read, order, cancel, then read and order the
        cancelled token), each answer held to every check."""
        if not self.schema.config.phases.stateful.enabled:
            return
        run = self

        class Sequences(self.schema.as_state_machine()):  # type: ignore[misc]
            def step(self, input: Any) -> Any:
                if input.transition is not None:
                    run.state.coverage.links[input.transition.id] += 1
                return super().step(input)

            def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
                return run._transport

            def validate_response(
                self, response: Any, case: Case[Any], additional_checks: Any = None, **kw: Any
            ) -> None:
                run.record(case, response)
                if run.config.dry:
                    return
                checks = [*(additional_checks or ()), *run.checks.all]
                try:
                    super().validate_response(response, case, checks, **run._transport)
                    round_trip_through_the_client(case, response)
                except BaseException as error:
                    if run.is_known(case, error):
                        return
                    run.note_failure(case, response, error)
                    raise

        Sequences.run(
            settings=settings(
                # A live target has one token to cancel: one sequence, so none sees it cancelled.
                max_examples=self.config.depth.sequences if self.config.target.is_mock else 1,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )

    def record(self, case: Case[Any], response: Any) -> None:
        """Count the case in the summary and its coverage, and an order it placed in the
        ledger."""
        operation = operation_id(case)
        if isinstance(case.body, dict):
            self.state.coverage.sent(operation, case.body, enum_fields(operation))
        try:
            answer = response.json() if response.status_code >= 400 else None
        except ValueError:
            answer = None
        self.state.coverage.answer(operation, response.status_code, answer)
        self.state.stats.record(
            operation_id(case),
            phase(case),
            mode(case),
            response.status_code,
            must_reject=must_reject(case),
        )
        if operation_id(case) == "createOrder":
            try:
                body = response.json()
            except ValueError:
                body = None
            self.state.ledger.note_order_answer(response.status_code, body)

    def note_failure(self, case: Case[Any], response: Any, error: BaseException) -> None:
        """Write what it takes to replay a failing case (no secret whole), and name it in the
        summary."""
        folder = self.config.reports.failures
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{phase(case)}-{mode(case)}-{response.status_code}-{secrets.token_hex(4)}"
        name = write_failure(folder, stem, response, error, self.config.target, self.redaction)
        self.state.stats.failures.append(
            f"{operation_id(case)} {phase(case)}/{mode(case)} -> {response.status_code}: {name}"
        )
