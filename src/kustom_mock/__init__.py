"""A stateful mock of Kustom's Customer Token API, driven by openapi.yaml."""

from kustom_mock.app import MockApp, create_app
from kustom_mock.settings import Settings

__all__ = ["MockApp", "Settings", "create_app"]
