"""Read a file or a git object as an OpenAPI document, or say in one line why it is not one.

Both sides of the breaking-change gate go through here: a spec that does not validate is
reported as invalid (``type: intger`` is a broken spec, not a breaking change), and a file
that is not a spec at all (``--against README.md``) gets one line instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from kustom_release.errors import ReleaseError

MESSAGE_LIMIT = 200  # a validator message can quote a whole schema; one line is enough


class InvalidSpec(ReleaseError):
    """The text is not YAML, not an OpenAPI document, or an OpenAPI document that is invalid."""


@dataclass(frozen=True)
class Problem:
    path: tuple[str, ...]
    message: str
    keyword: bool  # from a JSON Schema keyword (enum, type, ...), not a summary


def _leaves(error: Any, path: tuple[str, ...]) -> Iterator[Problem]:
    here = path + tuple(str(part) for part in error.relative_path)
    if not error.context:
        yield Problem(here, error.message, isinstance(error.validator, str))
    for sub in error.context or ():
        yield from _leaves(sub, here)


def _innermost(errors: list[Any]) -> tuple[str, str]:
    """Where and what, from the deepest keyword that failed. openapi-spec-validator reports a
    bad schema twice: first the whole schema as the message, at its place in the document,
    then the failing keyword at a path inside that schema; the two together say it."""
    leaves = [leaf for error in errors for leaf in _leaves(error, ())]
    best = max(leaves, key=lambda leaf: (leaf.keyword, len(leaf.path)))
    path = best.path
    first = tuple(str(part) for part in errors[0].absolute_path)
    if path[: len(first)] != first:
        path = first + path
    message = (best.message.splitlines() or [""])[0]
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "..."
    return "/".join(path) or "(top level)", message


def parse_spec(text: str, source: str) -> dict[str, Any]:
    """The validated document in ``text``; ``source`` names it in the error."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InvalidSpec(f"{source} is not an OpenAPI document: not YAML{where}") from None
    if not isinstance(document, dict) or not isinstance(document.get("openapi"), str):
        raise InvalidSpec(f"{source} is not an OpenAPI document: no 'openapi' version field")
    version = document["openapi"]
    if version.startswith("3.0."):
        validator: Any = OpenAPIV30SpecValidator(document)
    elif version.startswith("3.1."):
        validator = OpenAPIV31SpecValidator(document)
    else:
        raise InvalidSpec(f"{source}: OpenAPI {version} is not supported (3.0 or 3.1)")
    errors = list(validator.iter_errors())
    if errors:
        where, message = _innermost(errors)
        raise InvalidSpec(f"{source} is not a valid OpenAPI document: {where}: {message}")
    return cast(dict[str, Any], document)
