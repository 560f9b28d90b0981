"""openapi.yaml, loaded once and turned into compiled JSON Schema validators."""

from kustom_spec.conformance import response_problems
from kustom_spec.document import Example, Operation, Spec, load_spec
from kustom_spec.location import DEFAULT_SPEC_PATH, REPO_ROOT

__all__ = [
    "DEFAULT_SPEC_PATH",
    "REPO_ROOT",
    "Example",
    "Operation",
    "Spec",
    "load_spec",
    "response_problems",
]
