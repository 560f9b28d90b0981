"""One source for each contract fact: the routes, the header names and the auth scheme that code
needs are read from openapi.yaml (kustom_spec.read_names, Spec.operations), or written once.

The one written copy is kustom_client.constants: the client ships without the spec. Its header
names and scheme are held to the spec here, its paths in tests/client/test_units.py. Every other
tracked file under the code's folders is searched (code, comments and docstrings alike, as
``git grep`` would); openapi.yaml, generated/, the tests and the Markdown pages are not.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import astuple

import pytest

from kustom_client import constants
from kustom_spec import REPO_ROOT, load_spec, read_names

SEARCHED = ("src", "contract_tests", "scripts", "benchmarks")
SPEC = load_spec()
NAMES = read_names(SPEC)
_PARAMETER = re.compile(r"/\{[^}]+\}")


def route_pieces() -> set[str]:
    """The fixed parts of the spec's paths: ``/a/{p}/b`` gives ``/a`` and ``/b``."""
    return {piece for path in SPEC.document["paths"] for piece in _PARAMETER.split(path) if piece}


def literals() -> dict[str, re.Pattern[str]]:
    """Each contract literal and how to find it: a route piece as written, a header name or the
    auth scheme in any case (HTTP's names are case-insensitive), as a whole name."""
    found = {piece: re.compile(re.escape(piece) + r"(?![\w-])") for piece in route_pieces()}
    for name in {*astuple(NAMES)}:
        found[name] = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
    return found


def searched_files() -> list[str]:
    listed = subprocess.run(  # noqa: S603 (a fixed git command)
        ["git", "ls-files", "-z", "--", *SEARCHED],  # noqa: S607 (git from PATH)
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return [
        name
        for name in listed
        if name
        and not name.endswith(".md")
        and not name.startswith("benchmarks/results/")
        and not (REPO_ROOT / name).is_symlink()
    ]


def occurrences() -> dict[str, Counter[str]]:
    """Literal -> file -> how many times it is written there."""
    patterns = literals()
    counts: dict[str, Counter[str]] = {literal: Counter() for literal in patterns}
    for name in searched_files():
        try:
            text = (REPO_ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # an image or another binary file
            continue
        for literal, pattern in patterns.items():
            if hits := len(pattern.findall(text)):
                counts[literal][name] += hits
    return counts


def test_the_search_covers_the_spec() -> None:
    pieces = route_pieces()
    assert "/customer-token/v1/tokens" in pieces
    assert {"/order", "/status"} <= pieces
    assert set(literals()) >= {"Klarna-Idempotency-Key", "X-Ratelimit-Reset", "Basic"}


def test_the_search_finds_the_one_copy() -> None:
    counts = occurrences()
    assert counts[constants.IDEMPOTENCY_HEADER] == {"src/kustom_client/constants.py": 1}


@pytest.mark.parametrize("literal", sorted(literals()))
def test_each_contract_literal_is_written_at_most_once(literal: str) -> None:
    where = occurrences()[literal]
    assert sum(where.values()) <= 1, f"{literal!r} written in {dict(where)}: read it instead"


def test_the_clients_copy_agrees_with_the_spec() -> None:
    client = {
        "idempotency_key": constants.IDEMPOTENCY_HEADER,
        "correlation_id": constants.CORRELATION_HEADER,
        "idempotent_replayed": constants.REPLAYED_HEADER,
        "retry_after": constants.RETRY_AFTER_HEADER,
        "rate_limit_reset": constants.RATELIMIT_RESET_HEADER,
        "auth_scheme": constants.AUTH_SCHEME,
    }
    assert client == {name: getattr(NAMES, name) for name in client}
    assert constants.READ_TOKEN_PATH.startswith(constants.TOKENS_PATH)
