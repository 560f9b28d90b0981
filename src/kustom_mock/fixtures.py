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
    """What an order with the token leads to."""

    APPROVE = "approve"  # 200, with the token's fraud_status and payment method
    SUSPENDED = "suspended"  # 403 TOKEN_SUSPENDED
    CANCELED = "canceled"  # 403 TOKEN_CANCELED
    DECLINED = "declined"  # 403 PAYMENT_METHOD_FAILED
    FLAKY = "flaky"  # 503 on the first request under each idempotency key, then as approve


@dataclass(frozen=True)
class Merchant:
    merchant_id: str
    api_key: str

    def __repr__(self) -> str:
        return f"Merchant(merchant_id={self.merchant_id!r}, api_key=***)"


@dataclass(frozen=True)
class Token:
    token: str
    merchant_id: str
    outcome: Outcome
    payment_method: dict[str, Any]
    fraud_status: str = "ACCEPTED"
    currencies: frozenset[str] | None = None


@dataclass(frozen=True)
class Fixtures:
    merchants_by_key: dict[str, Merchant] = field(repr=False)  # keyed by secret
    tokens: dict[str, Token]


class FixtureError(ValueError):
    """The fixture file is not in the documented format."""


def _format_schema(spec: Spec) -> dict[str, Any]:
    """The file's format; payment methods and fraud statuses come from the spec itself."""
    components = "#/components/schemas"
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
                    "required": ["merchant_id", "api_key"],
                    "properties": {
                        "merchant_id": {"type": "string", "minLength": 1},
                        "api_key": {"type": "string", "minLength": 1, "pattern": "^[^:]*$"},
                    },
                },
            },
            "tokens": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["token", "merchant_id", "outcome", "payment_method"],
                    "properties": {
                        "token": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
                        "merchant_id": {"type": "string"},
                        "outcome": {"enum": [o.value for o in Outcome]},
                        "fraud_status": {"$ref": f"{components}/FraudStatus"},
                        "payment_method": {"$ref": f"{components}/AuthorizedPaymentMethod"},
                        "currencies": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "$ref": f"{components}/OrderRequest/properties/purchase_currency"
                            },
                        },
                    },
                },
            },
        },
    }


def parse_fixtures(data: Any, spec: Spec, source: str) -> Fixtures:
    validator = jsonschema_rs.Draft4Validator(spec.as_json_schema(_format_schema(spec)))
    errors = [
        f"{'/'.join(map(str, e.instance_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(data)
    ]
    if errors:
        raise FixtureError(f"{source}: " + "; ".join(errors[:10]))
    merchants: dict[str, Merchant] = {}
    ids: set[str] = set()
    for entry in data["merchants"]:
        merchant = Merchant(entry["merchant_id"], entry["api_key"])
        if merchant.api_key in merchants or merchant.merchant_id in ids:
            raise FixtureError(f"{source}: merchant {merchant.merchant_id} is listed twice")
        merchants[merchant.api_key] = merchant
        ids.add(merchant.merchant_id)
    tokens: dict[str, Token] = {}
    for entry in data["tokens"]:
        if entry["merchant_id"] not in ids:
            raise FixtureError(
                f"{source}: token {entry['token']}: no merchant {entry['merchant_id']}"
            )
        if entry["token"] in tokens:
            raise FixtureError(f"{source}: token {entry['token']} is listed twice")
        currencies = entry.get("currencies")
        tokens[entry["token"]] = Token(
            token=entry["token"],
            merchant_id=entry["merchant_id"],
            outcome=Outcome(entry["outcome"]),
            payment_method=dict(entry["payment_method"]),
            fraud_status=entry.get("fraud_status", "ACCEPTED"),
            currencies=frozenset(c.upper() for c in currencies) if currencies else None,
        )
    return Fixtures(merchants_by_key=merchants, tokens=tokens)


def load_fixtures(path: Path | None, spec: Spec) -> Fixtures:
    """The file at ``path``, or the defaults; a FixtureError says what is wrong and where."""
    source = path or DEFAULT_FIXTURES
    try:
        data: Mapping[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FixtureError(f"{source}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise FixtureError(f"{source}: not valid YAML: {exc}") from None
    return parse_fixtures(data, spec, str(source))
