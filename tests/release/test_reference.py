"""The reader's copy of the spec the HTML reference is built from (reference.py): the
maintainers' sections last, source tags as superscript links, samples on every operation, and
openapi.yaml itself untouched. The page itself is tested in Chromium (test_reference_html.py)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from kustom_release.reference import (
    MAINTAINERS_TAG,
    TAGS,
    ReferenceError,
    reader_copy,
    sources,
)
from kustom_spec import load_spec

SPEC = load_spec()
ORIGINAL = copy.deepcopy(SPEC.document)
READER = reader_copy(SPEC.document, SPEC.path)
SUPERSCRIPT = re.compile(r'<sup class="source-tags">(.*?)</sup>')
LINK = re.compile(r'<a href="([^"]+)" title="[^"]*">([A-Z]+\d+)</a>')


def texts(node: Any) -> list[str]:
    """Every description and summary in ``node``."""
    if isinstance(node, dict):
        found = [
            v for k, v in node.items() if k in ("description", "summary") and isinstance(v, str)
        ]
        return found + [
            t for k, v in node.items() for t in texts(v) if k not in ("description", "summary")
        ]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


def test_openapi_yaml_keeps_its_text() -> None:
    assert SPEC.document == ORIGINAL
    assert "## Sources" in SPEC.document["info"]["description"]
    assert "[K1]" in json.dumps(SPEC.document)


def test_the_overview_keeps_its_opening_and_the_maintainers_sections_come_last() -> None:
    overview = READER["info"]["description"]
    assert overview.startswith(ORIGINAL["info"]["description"].split("\n\n")[0])
    assert "## " not in overview
    last = READER["tags"][-1]
    assert (last["name"], last["x-traitTag"]) == (MAINTAINERS_TAG, True)
    for heading in ("## Sources", "## This contract's own choices", "## Adopted and declined"):
        assert heading in last["description"]
    assert [t["name"] for t in READER["tags"][:-1]] == [t["name"] for t in ORIGINAL["tags"]]


def test_no_source_tag_is_left_in_the_text() -> None:
    left = [text for text in texts(READER) if TAGS.search(text)]
    assert left == []
    assert len([t for t in texts(ORIGINAL) if TAGS.search(t)]) > 50  # there were many


def test_each_tag_links_to_its_source() -> None:
    table = sources(ORIGINAL["info"]["description"])
    assert {"K1", "K5", "A1", "A9"} <= table.keys()
    links = [
        link
        for text in texts(READER)
        for sup in SUPERSCRIPT.findall(text)
        for link in LINK.findall(sup)
    ]
    assert len(links) > 50
    assert {(url, tag) for url, tag in links} <= {(s.url, tag) for tag, s in table.items()}
    # "[K3, A4]" is one superscript with two links.
    assert any(
        len(LINK.findall(sup)) == 2 for text in texts(READER) for sup in SUPERSCRIPT.findall(text)
    )


def test_plain_text_places_lose_their_tags_without_html() -> None:
    """Redoc shows the servers' descriptions as plain text: a link there would show as HTML."""
    for server in READER["servers"]:
        assert "<" not in server["description"]
        assert not TAGS.search(server["description"])


def test_every_operation_has_its_samples() -> None:
    for path_item in READER["paths"].values():
        for method, operation in path_item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                langs = [s["lang"] for s in operation["x-codeSamples"]]
                assert langs == ["curl", "Python", "TypeScript"], (method, operation["operationId"])


def test_a_tag_that_no_source_names_stops_the_build() -> None:
    document = copy.deepcopy(ORIGINAL)
    document["components"]["schemas"]["OrderLine"]["description"] += " [K99]"
    with pytest.raises(ReferenceError, match=r"\[K99\] is not in the Sources table"):
        reader_copy(document, SPEC.path)
