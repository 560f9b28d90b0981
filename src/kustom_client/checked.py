"""A generated model held to its annotations: the generated ``from_dict`` checks that required
fields are there, not their types, so a string field given a number would pass unnoticed.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, TypeVar

import attrs
from kustom_customer_token_client import models

M = TypeVar("M")


@functools.cache
def _annotations(model: Any) -> dict[str, Any]:
    # The models import each other only for type checkers; their module resolves the names.
    return typing.get_type_hints(model, localns=vars(models))


def _fits(value: Any, hint: Any) -> bool:
    if isinstance(hint, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is int or hint is float:  # JSON numbers; true and false are not numbers here
        kinds = int if hint is int else (int, float)
        return isinstance(value, kinds) and not isinstance(value, bool)
    # A class, or a generic by its container (additional_properties: dict[str, Any]).
    return isinstance(value, typing.get_origin(hint) or hint)


def checked(model: M) -> M:
    """``model`` when every field holds what its annotation says; TypeError naming the first
    that does not. Iterative over nested models."""
    pending: list[tuple[Any, str]] = [(model, "")]
    while pending:
        current, where = pending.pop()
        hints = _annotations(current.__class__)
        for field in attrs.fields(type(current)):
            value = getattr(current, field.name)
            if not _fits(value, hints[field.name]):
                raise TypeError(f"{where}{field.name} is of type {type(value).__name__}")
            if attrs.has(type(value)):
                pending.append((value, f"{where}{field.name}."))
    return model
