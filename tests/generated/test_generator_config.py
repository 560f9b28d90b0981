"""generator-config.yml: the generator ignores unknown keys silently, so check them here."""

from __future__ import annotations

import yaml
from openapi_python_client.config import ConfigFile

from kustom_release.regenerate import CONFIG


def test_every_key_is_one_the_generator_knows() -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    unknown = set(config) - set(ConfigFile.model_fields)
    assert not unknown, f"openapi-python-client would ignore: {sorted(unknown)}"


def test_post_hooks_leave_no_ruff_cache() -> None:
    hooks = ConfigFile.load_from_path(CONFIG).post_hooks or []
    assert hooks, "without post_hooks the generator's own defaults (with a cache) would run"
    assert all("--no-cache" in hook for hook in hooks if hook.startswith("ruff"))
