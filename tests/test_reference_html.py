"""The HTML reference in a real browser: headless Chromium (Debian's package) opens the file
with networking off; the operation, every request field and each response render.

On failure a screenshot is kept in reports/reference-failure.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kustom_devtools.publish import build_reference
from kustom_spec import REPO_ROOT, load_spec

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = REPO_ROOT / "reports" / "reference-failure.png"
SPEC = load_spec()

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must have Chromium (.ci/run installs Debian's package)", pytrace=False)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium package is not installed (apt-get install chromium)"
)


def field_names(schema: Any, seen: set[str] | None = None) -> set[str]:
    names: set[str] = set() if seen is None else seen
    schema = SPEC.resolve(schema)
    if schema.get("type") == "array":
        return field_names(schema["items"], names)
    for name, prop in schema.get("properties", {}).items():
        names.add(name)
        field_names(prop, names)
    return names


@dataclass
class Rendered:
    page: Any
    requests: list[tuple[str, str]]  # (url, resource type) of everything the page asked for


REQUEST_FIELDS = field_names(SPEC.operation("createOrder").request_schema)


def _expand_everything(page: Any) -> None:
    """Open the operation, then every nested schema (Redoc opens one level on its own)."""
    page.get_by_text("+ Show").first.click()
    page.get_by_text("/customer-token/v1/tokens/{customerToken}/order").first.click()
    page.get_by_text("Rules across fields").first.wait_for(timeout=15000)
    for _ in range(5):  # the buttons re-render as they toggle; stop once everything is open
        for label in ("Collapse all", "Expand all"):
            buttons = page.get_by_role("button", name=label)
            for _ in range(buttons.count()):
                buttons.first.click()
        page.wait_for_timeout(200)
        if all(name in page.inner_text("body") for name in REQUEST_FIELDS):
            return


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    from playwright.sync_api import sync_playwright

    html = tmp_path_factory.mktemp("reference") / "reference.html"
    build_reference(html)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            context = browser.new_context(offline=True)
            requests: list[tuple[str, str]] = []
            context.on(
                "request", lambda request: requests.append((request.url, request.resource_type))
            )
            page = context.new_page()
            page.goto(html.as_uri())
            _expand_everything(page)
            yield Rendered(page, requests)
        finally:
            browser.close()


def _check(page: Any, condition: bool, message: str) -> None:
    if not condition:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        pytest.fail(f"{message} (screenshot: {SCREENSHOT})")


def test_the_operation_renders(rendered: Rendered) -> None:
    page = rendered.page
    text = page.inner_text("body")
    for operation in SPEC.operations.values():
        summary = operation.node["summary"]
        _check(page, summary in text, f"the summary {summary!r} is missing")
    _check(page, "Rules across fields" in text, "the operation's description is missing")


def test_every_request_field_renders(rendered: Rendered) -> None:
    page = rendered.page
    text = page.inner_text("body")
    assert len(REQUEST_FIELDS) >= 45
    missing = sorted(name for name in REQUEST_FIELDS if name not in text)
    _check(page, not missing, f"request fields not rendered: {missing}")


def test_each_response_renders(rendered: Rendered) -> None:
    page = rendered.page
    order = SPEC.operation("createOrder")
    for status in order.statuses:
        page.get_by_role("button", name=str(status), exact=True).first.click()
        description = order.response(status)["description"].split()[:4]
        _check(
            page,
            " ".join(description) in " ".join(page.inner_text("body").split()),
            f"response {status} did not render",
        )


def test_no_script_or_style_comes_from_the_network(rendered: Rendered) -> None:
    """Scripts and styles are inlined. Redoc's "API docs by Redocly" badge still asks its CDN
    for a logo and hides it when offline: an image, cosmetic, allowed."""
    local = ("file:", "data:", "blob:", "about:")
    remote = [(url, kind) for url, kind in rendered.requests if not url.startswith(local)]
    needed = [(url, kind) for url, kind in remote if kind != "image"]
    _check(rendered.page, not needed, f"the page needs the network for: {needed[:5]}")
