"""openapi.yaml, loaded once: its operations, compiled JSON Schema validators, and the header
names and auth scheme that code sends and reads (``read_names``)."""

from kustom_spec.document import Example, Operation, Spec, load_spec
from kustom_spec.exchanges import ExampleError, ExampleExchange, example_exchanges
from kustom_spec.location import DEFAULT_SPEC_PATH, REPO_ROOT
from kustom_spec.names import SECURITY_SCHEME, Names, SpecNamesError, read_names

__all__ = [
    "DEFAULT_SPEC_PATH",
    "REPO_ROOT",
    "SECURITY_SCHEME",
    "Example",
    "ExampleError",
    "ExampleExchange",
    "Names",
    "Operation",
    "Spec",
    "SpecNamesError",
    "example_exchanges",
    "load_spec",
    "read_names",
]
