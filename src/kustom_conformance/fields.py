"""Fields in Kustom's notation (``order_lines[1].total_amount``, indexes from 0), as a server
names them in ``Bad value: <field>`` (openapi.yaml, createOrder, "Rules across fields")."""

from __future__ import annotations

from collections.abc import Sequence

import jsonschema_rs

MAX_DETAIL_CHARS = 200


def field_name(path: Sequence[str | int]) -> str:
    """``["order_lines", 1, "total_amount"]`` → ``order_lines[1].total_amount``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def error_field(error: jsonschema_rs.ValidationError) -> str:
    """The field a schema error is about: a missing property is named itself, not its parent."""
    path = list(error.instance_path)
    if error.kind.name == "required":
        path.append(error.kind.as_dict()["property"])
    return field_name(path)


def bad_value(field: str) -> str:
    """The message a server names a field at fault with."""
    return f"Bad value: {field}"


def shortened(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
