"""Checks on what a call sends, before it is sent: the customer token, the idempotency key and
the order's JSON. Each failure is an InvalidArgumentError (a ValueError) naming the field,
never a TypeError, UnicodeEncodeError or RecursionError from deeper down.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from kustom_customer_token_client.models import OrderRequest

from kustom_client.constants import INT64_MAX, INT64_MIN, MAX_JSON_DEPTH
from kustom_client.errors import InvalidArgumentError, OrderValidationError
from kustom_rules import RuleViolation, check_order

# A JSON string literal, to skip when counting brackets in attachment.body.
_TRAILING_INDEXES = re.compile(r"(\[\d+\])+$")


def check_customer_token(token: object) -> str:
    """A token that stays one path segment: httpx removes ``.`` and ``..`` segments, which would
    send the merchant's authenticated request to another path. ``/`` and the rest are quoted."""
    if not isinstance(token, str):
        raise InvalidArgumentError(
            "customer_token", f"must be a string, not {type(token).__name__}"
        )
    if token in ("", ".", ".."):
        raise InvalidArgumentError("customer_token", f"{token!r} is not a customer token")
    return token


def check_idempotency_key(key: object) -> str:
    """Visible ASCII and inner spaces: a header value carries nothing else intact (non-ASCII
    cannot be encoded, CR/LF would split the header, edge spaces are trimmed by servers)."""
    if not isinstance(key, str):
        raise InvalidArgumentError("idempotency_key", f"must be a string, not {type(key).__name__}")
    if not key:
        raise InvalidArgumentError("idempotency_key", "is empty")
    for position, char in enumerate(key):
        if not " " <= char <= "~":
            kind = "a non-ASCII character" if ord(char) > 127 else "a control character"
            raise InvalidArgumentError("idempotency_key", f"contains {kind} at position {position}")
    if key != key.strip():
        raise InvalidArgumentError("idempotency_key", "starts or ends with a space")
    return key


def idempotency_key_for(key: str | None) -> str:
    """The caller's key, checked, or a new UUID (what Kustom recommends)."""
    return str(uuid.uuid4()) if key is None else check_idempotency_key(key)


def order_body(order: object) -> dict[str, Any]:
    if isinstance(order, OrderRequest):
        try:
            return order.to_dict()
        except (AttributeError, TypeError, ValueError) as exc:
            # A model built by hand with a dict where a model belongs, for example.
            raise InvalidArgumentError(
                "order", f"this OrderRequest cannot be serialized ({type(exc).__name__}: {exc})"
            ) from None
    if isinstance(order, Mapping):
        return dict(order)
    raise InvalidArgumentError(
        "order", f"must be an OrderRequest or a mapping, not {type(order).__name__}"
    )


def encode_order(body: dict[str, Any], *, check_rules: bool) -> bytes:
    """The order as JSON bytes, after the checks; OrderValidationError naming each bad field."""
    try:
        # Fast path: orjson refuses most of what cannot be sent (integers past 53 bits here,
        # surrogates, non-string keys, other types, nesting past MAX_JSON_DEPTH), so the slow
        # walk below runs only when it refuses, or when NaN or an infinity may have become null.
        encoded = orjson.dumps(body, option=orjson.OPT_STRICT_INTEGER)
    except orjson.JSONEncodeError:
        encoded = b""
    if not encoded or b"null" in encoded:
        problems = json_problems(body)
        if problems:
            raise OrderValidationError(problems)
        if not encoded:  # integers between 53 and 63 bits are valid int64
            encoded = orjson.dumps(body)
    if check_rules:
        _check_rules(body)
    return encoded


def json_problems(value: Any, limit: int = 20) -> list[RuleViolation]:
    """What in ``value`` JSON or Kustom cannot carry, by field (at most ``limit``).

    Iterative, so a deeply nested value cannot raise RecursionError.
    """
    problems: list[RuleViolation] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack and len(problems) < limit:
        item, path, depth = stack.pop()
        kind = type(item)
        if kind is dict or kind is list or kind is tuple:
            if depth + 1 > MAX_JSON_DEPTH:
                # Named by the property that holds the nesting, not by hundreds of [0]s.
                field = _TRAILING_INDEXES.sub("", path)
                problems.append(_bad(field, f"nests deeper than {MAX_JSON_DEPTH} levels"))
                break
            if kind is dict:
                children = []
                for key, child in item.items():
                    if not isinstance(key, str):
                        problems.append(_bad(path, f"has a {type(key).__name__} key {key!r}"))
                        continue
                    children.append((child, f"{path}.{key}" if path else key, depth + 1))
            else:
                children = [(child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item)]
            stack.extend(reversed(children))
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                problems.append(_bad(path, "is an integer beyond 64 bits"))
        elif isinstance(item, float):
            if not math.isfinite(item):
                problems.append(_bad(path, f"is {item}, which JSON cannot carry"))
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(_bad(path, "holds a lone surrogate, which UTF-8 cannot carry"))
        else:
            problems.append(_bad(path, f"is a {kind.__name__}, not a JSON value"))
    return problems


def _bad(path: str, problem: str) -> RuleViolation:
    field = path or "order"
    return RuleViolation(field, f"{field} {problem}")


def _check_rules(body: dict[str, Any]) -> None:
    """The rules across fields, on an order shaped as the schema says. Anything else (a missing
    field, a string for a number) is left for the server, whose 400 names the field."""
    lines = body.get("order_lines")
    if not isinstance(lines, list):
        return
    for line in lines:
        # quantity x unit_price on a string or a list would repeat it, not multiply it.
        if not (
            isinstance(line, dict)
            and type(line.get("quantity")) is int
            and type(line.get("unit_price")) is int
        ):
            return
    try:
        violations = check_order(body)
    except (KeyError, TypeError, AttributeError, ValueError):
        return
    if violations:
        raise OrderValidationError(violations)
