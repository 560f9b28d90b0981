"""A stateful mock of Kustom's Customer Token API, driven by openapi.yaml."""

from kustom_mock.app import MockApp, create_app
from kustom_mock.behaviour import Behaviour
from kustom_mock.config import MockConfig, ServerConfig, StoreConfig

__all__ = ["Behaviour", "MockApp", "MockConfig", "ServerConfig", "StoreConfig", "create_app"]
