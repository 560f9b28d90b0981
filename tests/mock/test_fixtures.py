"""--fixtures: a user's merchants and tokens, in the documented format, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kustom_mock import MockConfig, create_app
from kustom_mock.fixtures import DEFAULT_FIXTURES, FixtureError, load_fixtures
from kustom_spec import load_spec
from tests.mock.helpers import CheckedClient, checked_client, order

CUSTOM = {
    "merchants": [{"merchant_id": "M-OWN", "username": "M-OWN-1a2b", "api_key": "own_key"}],
    "tokens": [
        {
            "token": "tok_own",
            "merchant_id": "M-OWN",
            "payment_method_type": "B2B_INVOICE",
            "outcome": "approve",
            "fraud_status": "PENDING",
            "payment_method": {"type": "b2b_invoice", "number_of_days": 60},
            "currencies": ["SEK"],
        }
    ],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "fixtures.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_defaults_are_the_documented_file() -> None:
    fixtures = load_fixtures(None, load_spec())
    assert {m.merchant_id for m in fixtures.merchants_by_key.values()} == {"M-TEST-A", "M-TEST-B"}
    assert set(fixtures.tokens) == {
        t["token"] for t in yaml.safe_load(DEFAULT_FIXTURES.read_text())["tokens"]
    }


def test_a_fixture_file_replaces_the_defaults(tmp_path: Path) -> None:
    app = create_app(MockConfig(fixtures=write(tmp_path, CUSTOM)))
    for client in checked_client(app):
        ok = client.create(
            "tok_own", body=order(purchase_currency="SEK"), auth=("M-OWN-1a2b", "own_key")
        )
        assert ok.status_code == 200
        assert ok.json()["fraud_status"] == "PENDING"
        assert ok.json()["authorized_payment_method"] == {
            "type": "b2b_invoice",
            "number_of_days": 60,
        }
        assert client.create("tok_active").status_code == 401  # the default merchants are gone


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["tokens"][0].update(outcome="explode"), "outcome"),
        (lambda d: d["tokens"][0]["payment_method"].update(type="cash"), "payment_method"),
        (lambda d: d["tokens"][0].update(fraud_status="MAYBE"), "fraud_status"),
        (lambda d: d["tokens"][0].update(merchant_id="M-NOBODY"), "no merchant M-NOBODY"),
        (lambda d: d["tokens"][0].update(status="GONE"), "status"),
        (lambda d: d["tokens"][0].update(card={"brand": "VISA"}), "card"),
        (lambda d: d["merchants"][0].pop("username"), "username"),
        (lambda d: d["tokens"].append(dict(d["tokens"][0])), "listed twice"),
        (lambda d: d["tokens"][0].update(currencies=["EURO"]), "currencies"),
        (lambda d: d.pop("merchants"), "merchants"),
        (lambda d: d["merchants"][0].update(api_key="a:b"), "api_key"),
    ],
)
def test_a_bad_fixture_file_is_refused_clearly(
    tmp_path: Path, mutate: object, fragment: str
) -> None:
    import copy

    data = copy.deepcopy(CUSTOM)
    mutate(data)  # type: ignore[operator]
    with pytest.raises(FixtureError, match=fragment):
        load_fixtures(write(tmp_path, data), load_spec())


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="cannot read"):
        load_fixtures(tmp_path / "missing.yaml", load_spec())
    bad = tmp_path / "bad.yaml"
    bad.write_text("merchants: [")
    with pytest.raises(FixtureError, match="not valid YAML"):
        load_fixtures(bad, load_spec())


def test_merchant_repr_hides_the_key() -> None:
    fixtures = load_fixtures(None, load_spec())
    assert "kco_test_api" not in repr(fixtures)


_ = CheckedClient
