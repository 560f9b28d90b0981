"""kustom_conformance.pseudonymous: credentials replaced by stable masks in the form they came
in, so that the merchants a record tells apart stay the same merchants after redaction."""

from __future__ import annotations

import base64

import pytest

from kustom_conformance import merchant_of, pseudonymous
from kustom_redact import Masker
from tests.conformance.exchanges import KEY_A, KEY_B, NAMES, PAIR_A, RAW_A, RAW_B, USER_A

SCHEME = NAMES.auth_scheme
MASK = Masker(key=b"k" * 32).mask


def test_both_forms_of_one_key_stay_one_merchant_and_lose_the_key() -> None:
    raw, pair = pseudonymous(RAW_A, SCHEME, MASK), pseudonymous(PAIR_A, SCHEME, MASK)
    assert merchant_of(raw, SCHEME) == merchant_of(pair, SCHEME)
    assert merchant_of(raw, SCHEME) != merchant_of(pseudonymous(RAW_B, SCHEME, MASK), SCHEME)
    decoded = base64.b64decode(pair.split(" ", 1)[1]).decode()
    for header in (raw, pair, decoded):
        assert KEY_A not in header
        assert KEY_B not in header
    assert USER_A not in decoded
    assert raw == f"{SCHEME} {MASK(KEY_A)}"
    assert decoded == f"{MASK(USER_A)}:{MASK(KEY_A)}"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer kco_live_secret_value",  # another scheme: masked whole
        f"{SCHEME} " + base64.b64encode(b"no-colon-here").decode(),  # base64 of no pair
        f"{SCHEME} " + base64.b64encode(b"user-only:").decode(),  # a pair without a key
        "kco_live_secret_value",  # a lone credential, no scheme
    ],
)
def test_other_values_are_masked_whole_and_keep_their_verdict(header: str) -> None:
    masked = pseudonymous(header, SCHEME, MASK)
    assert "kco_live_secret_value" not in masked
    assert masked.split(" ")[-1] != header.split(" ")[-1]
    # No credentials stay no credentials; credentials stay one merchant's.
    assert (merchant_of(masked, SCHEME) is None) == (merchant_of(header, SCHEME) is None)


def test_a_bare_scheme_holds_nothing_to_mask() -> None:
    assert pseudonymous(SCHEME, SCHEME, MASK) == SCHEME
    assert pseudonymous("", SCHEME, MASK) == ""
