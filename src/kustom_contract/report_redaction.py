"""Secrets out of everything pytest writes for the contract run, where it is written: each test
and collection report as it is made (so JUnit XML and any other report plugin get it redacted),
again after the plugins that rewrite a failure's text (Schemathesis does, in
pytest_exception_interact), and every write to the console.

pytest has no hook for this (pytest-dev/pytest#11135), hence the hooks below. The tracebacks
of the tests under contract_tests/ keep their code lines but lose every frame's arguments and
local variables: pytest's long style prints the arguments of each frame (urllib3's headers,
with ``Authorization``), cut to a length that can split a secret where no redaction finds it;
``-l`` is therefore ignored there. The other tests of a session that collects the run
(scripts/test) keep theirs, their text redacted all the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TextIO

import pytest
from _pytest._code.code import TerminalRepr

from kustom_redact import Redactor

Redact = Callable[[str], str]


class RedactingStream:
    """A text stream whose every write is redacted first (the console, under pytest's terminal
    writer); everything else is the stream's own."""

    def __init__(self, stream: TextIO, redact: Redact) -> None:
        self._stream = stream
        self._redact = redact

    def write(self, text: str) -> int:
        return self._stream.write(self._redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _scrub(value: Any, redact: Redact, frames_bare: bool) -> Any:
    """``value`` (a pytest failure representation, or a part of one) with its text redacted
    and, if ``frames_bare``, no frame's arguments or locals; representations change in place."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        items = [_scrub(item, redact, frames_bare) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, TerminalRepr) and dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            if frames_bare and field.name in ("reprfuncargs", "reprlocals"):
                setattr(value, field.name, None)
            else:
                setattr(value, field.name, _scrub(getattr(value, field.name), redact, frames_bare))
    return value


def scrub_report(
    report: pytest.TestReport | pytest.CollectReport, redact: Redact, *, frames_bare: bool = True
) -> None:
    """A report's failure text, captured output and properties, redacted in place; with
    ``frames_bare``, its traceback without any frame's arguments or locals."""
    longrepr = report.longrepr
    if longrepr is not None and not isinstance(longrepr, str | tuple | TerminalRepr):
        longrepr = str(longrepr)  # some other object: its text is all a report shows
    report.longrepr = _scrub(longrepr, redact, frames_bare)
    report.sections = [(title, redact(content)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport):
        report.user_properties = [
            (name, redact(value) if isinstance(value, str) else value)
            for name, value in report.user_properties
        ]


class ReportRedaction:
    """The pytest plugin: registered by the run's plugin (kustom_contract/plugin.py) with its
    redactor and the folder whose tests' tracebacks go bare."""

    def __init__(self, redactor: Redactor, folder: Path) -> None:
        self.redact: Redact = redactor.text
        self.folder = folder

    def _bare(self, path: Path) -> bool:
        return path.is_relative_to(self.folder)

    def redact_console(self, config: pytest.Config) -> None:
        # pytest offers no public seam for the console's stream: its terminal writer's file.
        writer = config.get_terminal_writer()
        writer._file = RedactingStream(writer._file, self.redact)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        scrub_report(report, self.redact, frames_bare=self._bare(item.path))
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        scrub_report(report, self.redact, frames_bare=self._bare(collector.path))
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_exception_interact(
        self, node: pytest.Item | pytest.Collector, report: pytest.TestReport | pytest.CollectReport
    ) -> None:
        scrub_report(report, self.redact, frames_bare=self._bare(node.path))
