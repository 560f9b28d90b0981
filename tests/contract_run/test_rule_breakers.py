"""The contract run's rule breakers (kustom_contract/rule_breakers.py): for any valid order, each
sibling breaks exactly its rule, names the field the server must name, and keeps the schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from kustom_contract.repair import repair_order
from kustom_contract.rule_breakers import BREAKERS, break_one_rule
from kustom_rules import check_order
from kustom_spec import DEFAULT_SPEC_PATH, load_spec

SPEC = load_spec()
ORDER = SPEC.operation("createOrder")
VALIDATOR = SPEC.validator(ORDER.request_schema)
OPERATION = schemathesis.openapi.from_path(DEFAULT_SPEC_PATH)[ORDER.path]["POST"]


def test_one_breaker_per_rule_of_the_spec() -> None:
    rules = ORDER.node["description"].split("## Rules across fields", 1)[1].split("## ", 1)[0]
    numbered = [n for n in range(1, 20) if f"\n{n}. " in rules]
    assert numbered == list(range(1, len(BREAKERS) + 1))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(OPERATION.as_strategy(generation_mode=GenerationMode.POSITIVE))
def test_each_sibling_breaks_only_its_rule(case: Any) -> None:
    order = repair_order(case.body)
    assert check_order(order) == []
    for turn in range(len(BREAKERS)):
        broken = break_one_rule(order, turn)
        assert broken is not None
        fields = {v.field for v in check_order(broken.order)}
        assert broken.field in fields, (broken.rule, fields)
        if broken.rule != 7:  # rule 7's line is negative in its price and its total
            assert fields == {broken.field}, (broken.rule, fields)
        errors = [e.message for e in VALIDATOR.iter_errors(broken.order)]
        assert not errors, (broken.rule, errors)
    assert check_order(order) == []  # the valid order itself is left as it was
