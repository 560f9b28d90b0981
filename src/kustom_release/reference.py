"""The spec as the HTML reference shows it to the teams who read it: a copy made when the
reference is built, so openapi.yaml keeps its maintainers' text as it is.

- The overview keeps its opening paragraphs; its sections ("Sources", "This contract's own
  choices", "Adopted and declined from Klarna's document") move to a last section, "For
  maintainers" (a Redoc ``x-traitTag``: a tag without operations), after the operations.
- Every ``[K1]``-style source tag becomes a small superscript link to the source's page (the
  "Sources" table gives each tag its address), out of the running text.
- Each operation gets request samples (``x-codeSamples``, from ``code_samples.py``).
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_release.code_samples import code_samples
from kustom_release.errors import ReleaseError
from kustom_spec import Spec

MAINTAINERS_TAG = "For maintainers"
MAINTAINERS_INTRO = (
    "Where each fact of this contract comes from and what it decided itself: for the people who "
    "maintain it. The superscripts in the text above link to these sources."
)
SOURCES_HEADING = "## Sources"
# A row of the Sources table: "| K1 | Kustom, "Title": https://... |".
SOURCE_ROW = re.compile(r"^\|\s*([A-Z]+\d+)\s*\|\s*(.+?)\s*\|\s*$", re.M)
URL = re.compile(r"https?://\S+")
# "[K1]" or "[K3, A4]", with the space before it (the superscript sits on the word).
TAGS = re.compile(r"\s?\[([A-Z]+\d+(?:,\s*[A-Z]+\d+)*)\]")


class ReferenceError(ReleaseError):
    """The spec cannot be shown as the reference expects (a tag no source names)."""


@dataclass(frozen=True)
class Source:
    tag: str
    title: str
    url: str


def sources(description: str) -> dict[str, Source]:
    """The Sources table of the overview, by tag."""
    if SOURCES_HEADING not in description:
        return {}
    table = description.split(SOURCES_HEADING, 1)[1].split("\n## ", 1)[0]
    found = {}
    for tag, text in SOURCE_ROW.findall(table):
        url = URL.search(text)
        if url is None:
            continue
        title = text[: url.start()].rstrip(" :").removesuffix(", rendered at").strip()
        found[tag] = Source(tag, title, url.group(0))
    return found


def _superscript(match: re.Match[str], known: dict[str, Source], where: str) -> str:
    links = []
    for tag in re.split(r",\s*", match.group(1)):
        source = known.get(tag)
        if source is None:
            raise ReferenceError(f"{where}: source tag [{tag}] is not in the Sources table")
        links.append(
            f'<a href="{html.escape(source.url)}" title="{html.escape(source.title)}">{tag}</a>'
        )
    return f'<sup class="source-tags">{", ".join(links)}</sup>'


def _with_superscripts(text: str, known: dict[str, Source], where: str) -> str:
    return TAGS.sub(lambda match: _superscript(match, known, where), text)


def _tags_as_superscripts(node: Any, known: dict[str, Source], where: str = "") -> Any:
    """``node`` with the source tags of every description as superscripts. Redoc shows
    summaries and the servers' descriptions as plain text, where a tag is only left out."""
    if isinstance(node, dict):
        return {key: _text(key, value, known, f"{where}/{key}") for key, value in node.items()}
    if isinstance(node, list):
        return [_tags_as_superscripts(item, known, f"{where}/{i}") for i, item in enumerate(node)]
    return node


def _text(key: str, value: Any, known: dict[str, Source], where: str) -> Any:
    if not isinstance(value, str) or key not in ("description", "summary"):
        return _tags_as_superscripts(value, known, where)
    if key == "summary" or where.startswith("/servers/"):
        return TAGS.sub("", value)
    return _with_superscripts(value, known, where)


def reader_copy(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """The copy of ``document`` (read from ``path``) that the reference is built from."""
    copied = copy.deepcopy(document)
    description = str(copied["info"].get("description", ""))
    known = sources(description)
    overview, _, sections = description.partition("\n## ")
    if sections:
        copied["info"]["description"] = overview.rstrip("\n") + "\n"
        copied.setdefault("tags", []).append(
            {
                "name": MAINTAINERS_TAG,
                "x-traitTag": True,
                "description": f"{MAINTAINERS_INTRO}\n\n## {sections}",
            }
        )
    spec = Spec(document=copied, path=path)
    for operation in spec.operations.values():
        operation.node["x-codeSamples"] = code_samples(operation)
    return dict(_tags_as_superscripts(copied, known))
