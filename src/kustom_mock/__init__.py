"""A stateful mock of Kustom's "Create an order with a customer token", driven by openapi.yaml."""

from kustom_mock.app import MockApp, Settings, create_app

__all__ = ["MockApp", "Settings", "create_app"]
