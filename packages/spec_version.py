"""Hatch metadata hook: a wheel's version, and its pins on its sibling wheels, are the spec's.

openapi.yaml's ``info.version`` is the one version of a release. Reading it at build time keeps
the client layer and the mock in step with the generated client (which the generator versions
from the same field) without a second copy of the number anywhere in git.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

# The spec is hand-authored with ``version:`` two spaces into ``info:``; a YAML parser is not
# in hatchling's build environment, and scripts/publish checks the built wheels' versions
# against the parsed spec, so a layout this pattern misreads cannot ship.
VERSION_LINE = re.compile(r"^info:\n(?:[ ]{2,}.*\n|\n)*?[ ]{2}version:[ ]*['\"]?([^'\"\s#]+)", re.M)


def spec_version(spec: Path) -> str:
    match = VERSION_LINE.search(spec.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"no info.version in {spec}")
    return match[1]


class SpecVersionHook(MetadataHookInterface):
    """``version`` and ``dependencies`` (``{version}`` filled in) from the spec."""

    def update(self, metadata: dict[str, Any]) -> None:
        version = spec_version(Path(self.root).parents[1] / "openapi.yaml")
        metadata["version"] = version
        metadata["dependencies"] = [
            requirement.format(version=version) for requirement in self.config["dependencies"]
        ]
