"""The run's fuzzing cases split into shares, one per process of the run (RunConfig.processes),
so that generating them, what bounds a run against the mock, takes every core: pytest-xdist
spreads tests, not the cases of one test, and one operation's fuzzing (createOrder's) is most
of a run. The first share is the run's schema itself (kustom_contract/schema.py: examples,
coverage, its share of fuzzing, the stateful phase); each other share is a schema of its own
that only fuzzes, with a seed of its own (the run's seed plus its index) so that the shares
generate different cases, as many in all as one serial run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from schemathesis.schemas import BaseSchema

from kustom_contract.config import RunConfig, configured
from kustom_contract.schema import build_schema


@dataclass(frozen=True)
class Share:
    index: int  # from 1: share 0 is the run's schema
    schema: BaseSchema

    @property
    def test_name(self) -> str:
        return f"test_contract_fuzzing_share_{self.index}"


def build_share(config: RunConfig, index: int) -> Share:
    schema = build_schema(config)
    schema.config.phases.update(phases=["fuzzing"])
    schema.config.generation.update(max_examples=config.fuzzing_share(index))
    schema.config.seed = schema.config.seed + index
    return Share(index, schema)


@cache
def other_shares() -> tuple[Share, ...]:
    """This process's other shares of fuzzing, from its configuration; none for a serial run."""
    config = configured()
    return tuple(build_share(config, index) for index in range(1, config.processes))
