"""Parse the vendor's reference page (../shared/seed/) into fields and the limits its prose states."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kustom_spec import REPO_ROOT

SEED_DIR = REPO_ROOT.parent / "shared" / "seed"
TITLE = "Create an order with a customer token"

_SECTION = re.compile(r"## (?P<title>[A-Z][\w ]*?(?:parameters|fields))")
_ITEM = re.compile(
    r"- `(?P<name>[^`]+)` \((?P<type>\w+)(?P<required>, required)?\)(?P<text>.*?)(?= - `|$)"
)
_EXAMPLE = re.compile(r'Example: (?P<value>"(?:[^"\\]|\\.)*"|-?\d+)')
_ENUM = re.compile(r"Enum: (?P<values>\"[^\"]*\"(?:, \"[^\"]*\")*)")


@dataclass
class SeedField:
    section: str
    name: str
    type: str
    required: bool
    text: str
    enum: list[str] | None = None
    example: object = None
    limits: dict[str, int] = field(default_factory=dict)


def find_seed_page() -> Path | None:
    if not SEED_DIR.is_dir():
        return None
    for path in sorted(SEED_DIR.glob("*.txt")):
        if TITLE in path.read_text(encoding="utf-8")[:200]:
            return path
    return None


def _limits(text: str, type_: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    low = text.lower()
    if m := re.search(r"has to be (\d+)-(\d+) characters", low):
        limits["minLength"], limits["maxLength"] = int(m[1]), int(m[2])
    elif m := re.search(r"(?:max|max length is) (\d+) characters", low):
        limits["maxLength"] = int(m[1])
    if m := re.search(r"\(max value: (\d+)\)", low):
        limits["maximum"] = int(m[1])
    if "non-negative" in low:
        limits["minimum"] = 0
    if type_ == "array" and (m := re.search(r"\(max (\d+)\)", low)):
        limits["maxItems"] = int(m[1])
    return limits


def _enum(text: str) -> list[str] | None:
    if m := _ENUM.search(text):
        return re.findall(r'"([^"]*)"', m["values"])
    if m := re.search(r"Either ([A-Z_]+) or ([A-Z_]+)\.", text):
        return [m[1], m[2]]
    return None


def _example(text: str) -> object:
    m = _EXAMPLE.search(text)
    if m is None:
        return None
    raw = m["value"]
    if raw.startswith('"'):
        return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return int(raw)


def parse(text: str) -> tuple[list[str], list[SeedField]]:
    """The page's section titles, and every field it lists with what its prose states."""
    matches = list(_SECTION.finditer(text))
    sections: list[str] = []
    fields: list[SeedField] = []
    for i, match in enumerate(matches):
        title = match["title"].strip()
        sections.append(title)
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end() : end]
        for item in _ITEM.finditer(body):
            item_text = item["text"].strip()
            fields.append(
                SeedField(
                    section=title,
                    name=item["name"],
                    type=item["type"],
                    required=item["required"] is not None,
                    text=item_text,
                    enum=_enum(item_text),
                    example=_example(item_text),
                    limits=_limits(item_text, item["type"]),
                )
            )
    return sections, fields
