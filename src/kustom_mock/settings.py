"""The mock's settings that are not the spec, the fixtures or the database."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_RETENTION_SECONDS = 24 * 3600.0  # Klarna keeps an idempotency key 24 hours (openapi.yaml)
DEFAULT_REDIRECT_BASE = "https://credit.klarna.com/v1/sessions"


@dataclass(frozen=True)
class Settings:
    retention_seconds: float = DEFAULT_RETENTION_SECONDS
    redirect_base: str = DEFAULT_REDIRECT_BASE
    rate_limit: int | None = None  # requests per second per merchant and operation; None: off
