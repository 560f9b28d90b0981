"""The HTML reference in a real browser: headless Chromium (Debian's package) opens the file
with networking off. Without a click, the operation and its request fields are on the page as
a screenshot shows it (scrolled to, visible, not covered); the operations come before the
maintainers' sections; then, expanded, every request field and each response render, the
sources' tags are superscript links and not running text; and each operation offers its
request samples (curl, Python, TypeScript). No placeholder contact.

On failure a screenshot is kept in reports/reference-failure.png.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import ViewportSize

from kustom_release.code_samples import CLIENT_CALLS
from kustom_release.publish import build_reference, first_tag_route, tag_route
from kustom_release.reference import MAINTAINERS_TAG, TAGS, sources
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


ORDER = SPEC.operation("createOrder")
REQUEST_FIELDS = field_names(ORDER.request_schema)
TOP_LEVEL_REQUEST_FIELDS = sorted(SPEC.resolve(ORDER.request_schema)["properties"])
SUMMARIES = [operation.node["summary"] for operation in SPEC.operations.values()]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
ROUTE = first_tag_route(SPEC.document)
MAINTAINERS_ROUTE = tag_route(MAINTAINERS_TAG)
# The overview's sections that are for maintainers, which must come after the operations.
MAINTAINERS_HEADINGS = ["Sources", "This contract's own choices", "Adopted and declined"]
SOURCE_URLS = {source.url for source in sources(SPEC.document["info"]["description"]).values()}
PLACEHOLDER_EMAIL = re.compile(r"[\w.+-]+@(?:[\w-]+\.)*example\.(?:com|org|net)", re.I)


def shown(page: Any, text: str) -> bool:
    """Some element with exactly ``text`` is on screen once scrolled to: visible, inside the
    viewport, and the topmost element at its centre (not hidden behind another)."""
    candidates = page.get_by_text(text, exact=True)
    for index in range(candidates.count()):
        element = candidates.nth(index)
        if not element.is_visible():
            continue
        element.scroll_into_view_if_needed(timeout=5000)
        box = element.bounding_box()
        if box is None or box["width"] == 0 or box["height"] == 0:
            continue
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if not (0 <= x < VIEWPORT["width"] and 0 <= y < VIEWPORT["height"]):
            continue
        on_top = element.evaluate(
            "(e, [x, y]) => { const top = document.elementFromPoint(x, y);"
            " return top !== null && (e === top || e.contains(top)); }",
            [x, y],
        )
        if on_top:
            return True
    return False


def _expand_everything(page: Any) -> None:
    """Every nested schema open (Redoc opens one level on its own)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_text("Rules across fields").first.wait_for(timeout=15000)
    for _ in range(5):  # the buttons re-render as they toggle; stop once everything is open
        for label in ("Collapse all", "Expand all"):
            buttons = page.get_by_role("button", name=label)
            for _ in range(buttons.count()):
                # A click re-renders the others: one counted a moment ago may be gone (then
                # the next round finds what is left), so no click waits for one.
                if not buttons.count():
                    break
                with contextlib.suppress(PlaywrightTimeout):
                    buttons.first.click(timeout=2000)
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
            context = browser.new_context(offline=True, viewport=VIEWPORT)
            requests: list[tuple[str, str]] = []
            context.on(
                "request", lambda request: requests.append((request.url, request.resource_type))
            )
            page = context.new_page()
            page.goto(html.as_uri())
            page.get_by_text(ORDER.node["summary"]).first.wait_for(timeout=15000)
            yield Rendered(page, requests)
        finally:
            browser.close()


def _check(page: Any, condition: bool, message: str) -> None:
    if not condition:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        pytest.fail(f"{message} (screenshot: {SCREENSHOT})")


def test_the_operation_and_its_request_fields_show_without_a_click(rendered: Rendered) -> None:
    """Runs first, on the page as it opened: nothing clicked yet."""
    page = rendered.page
    missing = [summary for summary in SUMMARIES if not shown(page, summary)]
    _check(page, not missing, f"operations not on screen: {missing}")
    hidden = [name for name in TOP_LEVEL_REQUEST_FIELDS if not shown(page, name)]
    _check(page, not hidden, f"request fields not on screen without a click: {hidden}")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT.with_name("reference-opened.png")))  # what was judged


def test_the_operations_come_before_the_maintainers_sections(rendered: Rendered) -> None:
    page = rendered.page
    order = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-section-id]'),"
        " e => e.getAttribute('data-section-id'))"
    )
    operations = [f"{ROUTE}/{operation_id.lower()}" for operation_id in SPEC.operations]
    missing = [route for route in [*operations, MAINTAINERS_ROUTE] if route not in order]
    _check(page, not missing, f"sections not on the page: {missing} (found {order})")
    last_operation = max(order.index(route) for route in operations)
    _check(page, last_operation < order.index(MAINTAINERS_ROUTE), f"maintainers first: {order}")
    # The overview before the operations holds none of the maintainers' sections (Redoc renders
    # the page lazily: the maintainers' section itself is not in the DOM until scrolled to).
    opening = page.locator("main").first.inner_text().split(SUMMARIES[0])[0]
    early = [heading for heading in MAINTAINERS_HEADINGS if heading in opening]
    _check(page, not early, f"maintainers' sections before the operations: {early}")


def test_no_placeholder_contact(rendered: Rendered) -> None:
    # The page's text, not its HTML: Redoc's inlined script carries sample addresses of its own.
    text = rendered.page.inner_text("body")
    _check(rendered.page, not PLACEHOLDER_EMAIL.search(text), "a placeholder e-mail address")
    contact = SPEC.document["info"].get("contact")
    assert contact is None or "example." not in str(contact)


@pytest.fixture(scope="module")
def expanded(rendered: Rendered) -> Rendered:
    _expand_everything(rendered.page)
    return rendered


def test_the_operation_renders(expanded: Rendered) -> None:
    rendered = expanded
    page = rendered.page
    text = page.inner_text("body")
    missing = [summary for summary in SUMMARIES if summary not in text]
    _check(page, not missing, f"operation summaries missing: {missing}")
    _check(page, "Rules across fields" in text, "the operation's description is missing")


def test_every_request_field_renders(expanded: Rendered) -> None:
    rendered = expanded
    page = rendered.page
    text = page.inner_text("body")
    assert len(REQUEST_FIELDS) >= 45
    missing = sorted(name for name in REQUEST_FIELDS if name not in text)
    _check(page, not missing, f"request fields not rendered: {missing}")


def test_each_response_renders(expanded: Rendered) -> None:
    rendered = expanded
    page = rendered.page
    for status in ORDER.statuses:
        page.get_by_role("button", name=str(status), exact=True).first.click()
        description = ORDER.response(status)["description"].split()[:4]
        _check(
            page,
            " ".join(description) in " ".join(page.inner_text("body").split()),
            f"response {status} did not render",
        )


def test_source_tags_are_superscript_links_out_of_the_text(expanded: Rendered) -> None:
    page = expanded.page
    left = TAGS.findall(page.inner_text("body"))
    _check(page, not left, f"source tags in the running text: {left[:5]}")
    links = page.locator("sup.source-tags a")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    _check(page, links.count() > 20, f"{links.count()} superscript source links")
    _check(page, hrefs <= SOURCE_URLS, f"links to no source: {hrefs - SOURCE_URLS}")


def test_no_script_or_style_comes_from_the_network(rendered: Rendered) -> None:
    """Scripts and styles are inlined. Redoc's "API docs by Redocly" badge still asks its CDN
    for a logo and hides it when offline: an image, cosmetic, allowed."""
    local = ("file:", "data:", "blob:", "about:")
    remote = [(url, kind) for url, kind in rendered.requests if not url.startswith(local)]
    needed = [(url, kind) for url, kind in remote if kind != "image"]
    _check(rendered.page, not needed, f"the page needs the network for: {needed[:5]}")


def test_each_operation_offers_its_request_samples(expanded: Rendered) -> None:
    """Runs last: it switches the samples' language, which Redoc keeps for every operation."""
    from playwright.sync_api import expect

    page = expanded.page
    languages = re.compile(r"^(curl|Python|TypeScript|Payload)$")
    for operation in SPEC.operations.values():
        page.evaluate(f"location.hash = '#{ROUTE}/{operation.operation_id.lower()}'")
        # The operation's samples panel: its method-and-path menu, and the code beside it.
        button = f"{operation.method.upper()}{operation.path}"
        panel = page.locator(
            f"xpath=//button[@aria-haspopup='menu'][normalize-space(.)='{button}']"
            "/ancestor::div[.//pre][1]"
        )
        panel.wait_for(timeout=15000)
        call = CLIENT_CALLS[operation.operation_id].method
        for label, needle in [
            ("Python", f"kustom.{call}("),
            ("TypeScript", "await fetch("),
            ("curl", "curl -sS"),
        ]:
            panel.locator("button[aria-haspopup=menu]").filter(has_text=languages).click()
            page.get_by_role("menuitem", name=label, exact=True).click()
            try:
                expect(panel.locator("pre").first).to_contain_text(needle, timeout=10000)
            except AssertionError:
                _check(page, False, f"{operation.operation_id}: no {label} sample with {needle!r}")
