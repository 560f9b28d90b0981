"""Merchants and customer tokens the mock knows: the defaults, or a user's YAML file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from kustom_spec import Spec

DEFAULT_FIXTURES = Path(__file__).with_name("default_fixtures.yaml")


class Outcome(StrEnum):
    """What an order with an ACTIVE token leads to."""

    APPROVE = "approve"  # 200, with the token's fraud_status and payment method
    DECLINED = "declined"  # 403 PAYMENT_METHOD_FAILED
    FLAKY = "flaky"  # 503 on the first request under each idempotency key, then as approve


@dataclass(frozen=True)
class Merchant:
    merchant_id: str
    username: str
    api_key: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Merchant(merchant_id={self.merchant_id!r}, username={self.username!r})"


@dataclass(frozen=True)
class TokenProfile:
    """What a token is, apart from its owner and status (those are state, in the store)."""

    payment_method_type: str
    payment_method: dict[str, Any]
    outcome: Outcome = Outcome.APPROVE
    fraud_status: str = "ACCEPTED"
    currencies: frozenset[str] | None = None
    card: dict[str, str] | None = None
    direct_debit: dict[str, str] | None = None

    def read(self, status: str) -> dict[str, Any]:
        """The body of a token read: the spec's CustomerToken."""
        body: dict[str, Any] = {"payment_method_type": self.payment_method_type, "status": status}
        if self.card is not None:
            body["card"] = self.card
        if self.direct_debit is not None:
            body["direct_debit"] = self.direct_debit
        return body


@dataclass(frozen=True)
class FixtureToken:
    """A token of the fixtures: its owner and first status, and its profile."""

    token: str = field(repr=False)  # a customer token can charge a customer
    merchant_id: str
    status: str
    profile: TokenProfile


@dataclass(frozen=True)
class Fixtures:
    merchants_by_key: dict[str, Merchant] = field(repr=False)  # keyed by secret
    tokens: dict[str, FixtureToken] = field(repr=False)


class FixtureError(ValueError):
    """The fixture file is not in the documented format."""


def _format_schema() -> dict[str, Any]:
    """The file's format; payment methods, statuses and card details come from the spec."""
    schemas = "#/components/schemas"
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["merchants", "tokens"],
        "properties": {
            "merchants": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["merchant_id", "username", "api_key"],
                    "properties": {
                        "merchant_id": {"type": "string", "minLength": 1},
                        # Printable ASCII without ':' (it separates the username from the key).
                        "username": {"type": "string", "pattern": "^[!-9;-~]+$"},
                        "api_key": {"type": "string", "pattern": "^[!-9;-~]+$"},
                    },
                },
            },
            "tokens": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "token",
                        "merchant_id",
                        "payment_method_type",
                        "payment_method",
                    ],
                    "properties": {
                        "token": {"type": "string", "pattern": "^[!-.0-~]+$"},
                        "merchant_id": {"type": "string"},
                        "status": {"$ref": f"{schemas}/TokenStatus"},
                        "payment_method_type": {
                            "$ref": f"{schemas}/CustomerToken/properties/payment_method_type"
                        },
                        "card": {"$ref": f"{schemas}/CardInformation"},
                        "direct_debit": {"$ref": f"{schemas}/DirectDebitInformation"},
                        "outcome": {"enum": [o.value for o in Outcome]},
                        "fraud_status": {"$ref": f"{schemas}/FraudStatus"},
                        "payment_method": {"$ref": f"{schemas}/AuthorizedPaymentMethod"},
                        "currencies": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "$ref": f"{schemas}/OrderRequest/properties/purchase_currency"
                            },
                        },
                    },
                },
            },
        },
    }


def parse_fixtures(data: Any, spec: Spec, source: str) -> Fixtures:
    validator = jsonschema_rs.Draft4Validator(spec.as_json_schema(_format_schema()))
    errors = [
        f"{'/'.join(map(str, e.instance_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(data)
    ]
    if errors:
        raise FixtureError(f"{source}: " + "; ".join(errors[:10]))
    merchants: dict[str, Merchant] = {}
    seen: set[str] = set()
    for entry in data["merchants"]:
        merchant = Merchant(entry["merchant_id"], entry["username"], entry["api_key"])
        names = {merchant.merchant_id, merchant.username}
        if merchant.api_key in merchants or names & seen:
            raise FixtureError(f"{source}: merchant {merchant.merchant_id} is listed twice")
        merchants[merchant.api_key] = merchant
        seen |= names
    ids = {m.merchant_id for m in merchants.values()}
    tokens: dict[str, FixtureToken] = {}
    for index, entry in enumerate(data["tokens"]):
        if entry["merchant_id"] not in ids:
            raise FixtureError(f"{source}: tokens/{index}: no merchant {entry['merchant_id']}")
        if entry["token"] in tokens:
            raise FixtureError(f"{source}: tokens/{index}: the token is listed twice")
        currencies = entry.get("currencies")
        tokens[entry["token"]] = FixtureToken(
            token=entry["token"],
            merchant_id=entry["merchant_id"],
            status=entry.get("status", "ACTIVE"),
            profile=TokenProfile(
                payment_method_type=entry["payment_method_type"],
                payment_method=dict(entry["payment_method"]),
                outcome=Outcome(entry.get("outcome", Outcome.APPROVE.value)),
                fraud_status=entry.get("fraud_status", "ACCEPTED"),
                currencies=frozenset(c.upper() for c in currencies) if currencies else None,
                card=entry.get("card"),
                direct_debit=entry.get("direct_debit"),
            ),
        )
    return Fixtures(merchants_by_key=merchants, tokens=tokens)


def load_fixtures(path: Path | None, spec: Spec) -> Fixtures:
    """The file at ``path``, or the defaults; a FixtureError says what is wrong and where."""
    source = path or DEFAULT_FIXTURES
    try:
        data: Mapping[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FixtureError(f"{source}: cannot read: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{source}: not valid YAML: {exc}") from None
    return parse_fixtures(data, spec, str(source))
