"""Check the built wheels against the bundled spec before anything is published.

The drift check runs before the build; this looks at what was actually built, so that a wheel
that disagrees with dist/openapi.json (another version, a missing model or field, a stale
embedded spec, a sibling pinned at another version) never leaves the machine.
"""

from __future__ import annotations

import email.parser
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GENERATED = "kustom_customer_token_client"
CLIENT_LAYER = "kustom_client"
MOCK = "kustom_mock"
# Project names (as on the index) of the three wheels, by their file-name prefix.
PROJECTS = {
    GENERATED: "kustom-customer-token-client",
    CLIENT_LAYER: "kustom-client",
    MOCK: "kustom-mock",
}
# What each wheel must pin at the release's own version.
SIBLING_PINS = {CLIENT_LAYER: PROJECTS[GENERATED], MOCK: PROJECTS[CLIENT_LAYER]}
EMBEDDED_SPEC = "kustom_spec/openapi.yaml"
MODEL_IMPORT = re.compile(r"^from \.(\w+) import (\w+)$", re.M)


@dataclass(frozen=True)
class Wheel:
    """One built wheel: its file and the metadata it declares."""

    path: Path
    name: str
    version: str
    requires: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> Wheel:
        with zipfile.ZipFile(path) as archive:
            metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
        return cls(
            path,
            str(metadata["Name"]),
            str(metadata["Version"]),
            tuple(metadata.get_all("Requires-Dist") or ()),
        )

    def text(self, member: str) -> str | None:
        with zipfile.ZipFile(self.path) as archive:
            if member not in archive.namelist():
                return None
            return archive.read(member).decode("utf-8")


def _model_problems(wheel: Wheel, spec: dict[str, Any]) -> list[str]:
    """Every component schema is a model in the client, with every one of its properties."""
    init = wheel.text(f"{GENERATED}/models/__init__.py") or ""
    modules = {cls: module for module, cls in MODEL_IMPORT.findall(init)}
    problems = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        if name not in modules:
            problems.append(f"{wheel.path.name}: no model {name} for components.schemas.{name}")
            continue
        source = wheel.text(f"{GENERATED}/models/{modules[name]}.py") or ""
        missing = [p for p in schema.get("properties", {}) if f'"{p}"' not in source]
        if missing:
            problems.append(f"{wheel.path.name}: model {name} lacks {', '.join(missing)}")
    return problems


def check_wheels(folder: Path, spec: dict[str, Any]) -> list[str]:
    """What disagrees between the wheels in ``folder`` and the bundled ``spec``; empty if none."""
    version = str(spec["info"]["version"])
    wheels = {
        prefix: [Wheel.read(p) for p in sorted(folder.glob(f"{prefix}-*.whl"))]
        for prefix in PROJECTS
    }
    problems: list[str] = []
    for prefix, found in wheels.items():
        if len(found) != 1:
            problems.append(f"expected one {prefix} wheel in {folder}, found {len(found)}")
            continue
        wheel = found[0]
        if wheel.version != version or wheel.name != PROJECTS[prefix]:
            problems.append(
                f"{wheel.path.name} is {wheel.name} {wheel.version}, the spec is version {version}"
            )
        if prefix in SIBLING_PINS:
            pin = f"{SIBLING_PINS[prefix]}=={version}"
            if pin not in wheel.requires:
                problems.append(f"{wheel.path.name} does not require {pin}: {wheel.requires}")
        if prefix == GENERATED:
            problems += _model_problems(wheel, spec)
        if prefix == MOCK:
            embedded = wheel.text(EMBEDDED_SPEC)
            if embedded is None:
                problems.append(f"{wheel.path.name} has no {EMBEDDED_SPEC}")
            elif yaml.safe_load(embedded)["info"]["version"] != version:
                problems.append(f"{wheel.path.name} embeds a spec of another version")
    return problems
