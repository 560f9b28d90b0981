"""A stateful mock of Kustom's Customer Token API, driven by openapi.yaml.

The names below are imported when first used (PEP 562), so that importing a module of the
package alone, as pytest does with the plugin (kustom_mock.pytest_plugin) in every run, does
not load the whole mock.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kustom_mock.app import MockApp, create_app
    from kustom_mock.behaviour import Behaviour
    from kustom_mock.config import MockConfig, ServerConfig, StoreConfig

__all__ = ["Behaviour", "MockApp", "MockConfig", "ServerConfig", "StoreConfig", "create_app"]
_MODULES = {
    "Behaviour": "kustom_mock.behaviour",
    "MockApp": "kustom_mock.app",
    "MockConfig": "kustom_mock.config",
    "ServerConfig": "kustom_mock.config",
    "StoreConfig": "kustom_mock.config",
    "create_app": "kustom_mock.app",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'kustom_mock' has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULES[name]), name)
