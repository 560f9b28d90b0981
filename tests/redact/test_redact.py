"""kustom_redact: known secrets in every form they are written in, unknown tokens in API paths."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from kustom_redact import Masker, Redactor, Secret, forms_of

KEY = "kco_live_9f8e7d6c5b4a"
USER = "M-LIVE-1234"
TOKEN = "tok_live_5a4b3c2d1e0f"
REDACTOR = Redactor(
    (
        Secret(KEY, "$KUSTOM_API_KEY"),
        Secret(f"{USER}:{KEY}", "$KUSTOM_USERNAME:$KUSTOM_API_KEY"),
        Secret(TOKEN, "$KUSTOM_CUSTOMER_TOKEN"),
    )
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_the_key_is_replaced_in_every_form_a_request_carries_it() -> None:
    text = (
        f"Authorization: Basic {KEY}\n"
        f"Authorization: Basic {b64(KEY)}\n"
        f"Authorization: Basic {b64(USER + ':' + KEY)}\n"
        f"?key={quote(KEY, safe='')}\n"
        f"{json.dumps({'echo': KEY})}"
    )
    redacted = REDACTOR.text(text)
    assert KEY not in redacted
    assert b64(KEY) not in redacted
    assert b64(f"{USER}:{KEY}") not in redacted
    assert redacted.splitlines()[0] == "Authorization: Basic $KUSTOM_API_KEY"
    assert redacted.splitlines()[2] == "Authorization: Basic $KUSTOM_USERNAME:$KUSTOM_API_KEY"


def test_a_pair_is_replaced_as_a_pair_before_its_key() -> None:
    assert REDACTOR.text(f"-u {USER}:{KEY}") == "-u $KUSTOM_USERNAME:$KUSTOM_API_KEY"


def test_a_known_token_becomes_its_reference_and_an_unknown_one_its_mask() -> None:
    path = (
        f"/customer-token/v1/tokens/{TOKEN}/order and /customer-token/v1/tokens/tok_other_77/status"
    )
    redacted = REDACTOR.text(path)
    assert "$KUSTOM_CUSTOMER_TOKEN/order" in redacted
    assert "tok_other_77" not in redacted
    assert f"/tokens/{Masker().mask('tok_other_77')}/status" in redacted


def test_tokens_in_url_encoded_paths_and_before_a_query_are_masked() -> None:
    inner = quote("https://api.example/customer-token/v1/tokens/tok_secret_1/order?x=1", safe="")
    redacted = Redactor().text(f"GET /next?url={inner} /v1/tokens/tok_secret_2?expand=all")
    assert "tok_secret_1" not in redacted
    assert "tok_secret_2" not in redacted
    assert "%2Forder" in redacted
    assert "?expand=all" in redacted


def test_a_mask_is_short_stable_and_keyed_when_asked() -> None:
    plain = Masker().mask(TOKEN)
    assert plain == Masker().mask(TOKEN)
    assert plain.startswith(TOKEN[:6])
    assert TOKEN not in plain
    run_a, run_b = Masker(key=b"a" * 32), Masker(key=b"b" * 32)
    assert run_a.mask(TOKEN) == run_a.mask(TOKEN)
    assert run_a.mask(TOKEN) != run_b.mask(TOKEN)
    assert run_a.mask(TOKEN) != run_a.mask(TOKEN + "x")


def test_masks_and_references_are_not_masked_again() -> None:
    once = REDACTOR.text(f"/v1/tokens/{TOKEN}/order /v1/tokens/tok_x_123/order")
    assert REDACTOR.text(once) == once


def test_bytes_keep_what_is_not_utf8() -> None:
    data = b"\xff\xfe" + KEY.encode() + b" /tokens/tok_bin_1234 \x80"
    redacted = REDACTOR.bytes(data)
    assert redacted.startswith(b"\xff\xfe$KUSTOM_API_KEY")
    assert redacted.endswith(b" \x80")
    assert b"tok_bin_1234" not in redacted


def test_json_values_are_redacted_keys_included() -> None:
    value: dict[str, Any] = {KEY: [TOKEN, {"n": 1, "s": f"Basic {b64(KEY)}"}], "t": (KEY,)}
    redacted = REDACTOR.value(value)
    assert KEY not in json.dumps(redacted, default=list)
    assert redacted["$KUSTOM_API_KEY"][1]["n"] == 1
    assert redacted["t"] == ("$KUSTOM_API_KEY",)


def test_headers_keep_their_names() -> None:
    assert REDACTOR.headers({"Authorization": f"Basic {KEY}"}) == [
        ("Authorization", "Basic $KUSTOM_API_KEY")
    ]


def test_short_values_are_not_secrets_and_the_repr_names_none() -> None:
    redactor = Redactor((Secret("ab", "$X"), Secret(KEY, "$K")))
    assert redactor.text("ab cd") == "ab cd"
    assert KEY not in repr(redactor)
    assert "ab" not in forms_of("ab")


def test_more_secrets_can_be_added() -> None:
    more = Redactor().with_secrets(Secret(KEY, "***"))
    assert more.text(KEY) == "***"


SECRET_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/")
FILLER = st.text(alphabet=" \n\t()[]{}<>", max_size=40)


@given(secret=st.text(SECRET_CHARS, min_size=8, max_size=40), before=FILLER, after=FILLER)
def test_no_form_of_a_secret_survives(secret: str, before: str, after: str) -> None:
    redactor = Redactor((Secret(secret, "[REDACTED]"),))
    for form in forms_of(secret):
        redacted = redactor.text(before + form + after)
        assert secret not in redacted
        assert form not in redacted
