"""Order rules shared by the mock and the client: the spec's rules across fields."""

from kustom_rules.rules import (
    NEGATIVE_LINE_TYPES,
    RuleViolation,
    check_order,
    expected_line_tax,
    expected_line_total,
    tax_within_tolerance,
)

__all__ = [
    "NEGATIVE_LINE_TYPES",
    "RuleViolation",
    "check_order",
    "expected_line_tax",
    "expected_line_total",
    "tax_within_tolerance",
]
