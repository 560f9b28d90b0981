"""The orjson fast path of parse_json gives the stdlib parser's answer or steps aside: for any
body, either it defers or its value equals the strict stdlib parse (and it never accepts a body
that the stdlib path refuses)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kustom_mock.body import _DEFER, _parse_plain, parse_json
from kustom_mock.errors import ApiError


def strict_stdlib(raw: bytes) -> Any:
    """The stdlib path alone (what parse_json did before the fast path)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in pairs}) != len(pairs):
            raise ValueError("duplicate")
        return dict(pairs)

    def refuse(name: str) -> Any:
        raise ValueError(name)

    def finite(text: str) -> float:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise ValueError(text)
        return value

    return json.loads(
        raw.decode("utf-8"),
        object_pairs_hook=no_duplicates,
        parse_constant=refuse,
        parse_float=finite,
    )


def agrees(raw: bytes) -> None:
    fast = _parse_plain(raw)
    try:
        expected = strict_stdlib(raw)
    except (ValueError, RecursionError):
        assert fast is _DEFER, raw[:200]
        return
    if fast is not _DEFER:
        assert fast == expected
        assert type(fast) is type(expected)
        assert json.dumps(fast) == json.dumps(expected)  # ints stay ints, same key order


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "a": 2}',
        b'{"a": {"b": 1, "b": 1}}',
        b'{"a": "x:y", "a": "x"}',
        b'{"a:b": 1, "c": "d:e"}',
        b'{"n": 18446744073709551616}',
        b'{"n": 9223372036854775808}',
        b'{"n": -18446744073709551617}',
        b'{"n": 1e400}',
        b'{"n": -1e400}',
        b'{"n": 1' + b"0" * 400 + b".0}",
        b'{"n": NaN}',
        b'{"n": Infinity}',
        b'{"s": "\\ud800"}',
        b'{"s": "\\u003a", "s": 1}',
        b'{"s": "a\x01"}',
        b'{"a": 1,}',
        b"[" * 2000 + b"]" * 2000,
        b'{"a": 1.5, "b": 1e5, "c": -0, "d": 1E-400}',
        b' \n{"a": [1, 2, {"b": null}]}\t',
        b'"just a string"',
        '{"name": "Ærø: ünïcode ✓"}'.encode(),
        b'"\xed\xa0\x80"',  # an encoded surrogate: not UTF-8
        b'{"a": "\xff"}',
        b"\xef\xbb\xbf{}",  # a byte order mark
        b"",
        b" \n ",
    ],
)
def test_known_cases(raw: bytes) -> None:
    agrees(raw)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='ab:\\"', max_size=3), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.data())
def test_generated_bodies_with_duplicates_injected(value: Any, data: st.DataObject) -> None:
    raw = json.dumps(value, ensure_ascii=data.draw(st.booleans())).encode()
    agrees(raw)
    # The same text with one object's first member repeated (a duplicate key), when it has one.
    at = raw.find(b"{")
    end = raw.find(b",", at) if at >= 0 else -1
    if at >= 0 and end > at and raw[at + 1 : at + 2] == b'"':
        duplicated = raw[: end + 1] + raw[at + 1 : end] + b"," + raw[end + 1 :]
        agrees(duplicated)


def test_parse_json_refuses_a_duplicate_that_orjson_would_keep_silently() -> None:
    with pytest.raises(ApiError) as caught:
        parse_json(b'{"order_amount": 1, "order_amount": 2}')
    assert "duplicate key 'order_amount'" in caught.value.messages[0]
