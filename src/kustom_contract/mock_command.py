"""The pytest option ``--mock-command "MODULE [FLAGS]"`` of the contract run: a server built on
the mock, spawned as ``python -m MODULE FLAGS`` in place of the project's mock (how
contract_tests/test_faults.py injects a fault), and how it is named in the run's reports."""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit, urlunsplit

DEFAULT_MODULE = "kustom_mock"


def parse(command: str | None) -> tuple[str, list[str]]:
    """The module to run and its flags; the project's mock when no command is given."""
    module, *flags = shlex.split(command) if command else [DEFAULT_MODULE]
    return module, flags


def _without_password(value: str) -> str:
    """A URL's password masked (``--db postgresql://user:password@host/db``); anything else as
    it is."""
    try:
        url = urlsplit(value)
    except ValueError:
        return value
    if not url.scheme or url.password is None:
        return value
    host = url.netloc.rsplit("@", 1)[1]
    return urlunsplit(url._replace(netloc=f"{url.username}:***@{host}"))


def label(command: str) -> str:
    """The command as the summary and contract-summary.json show it: a flag's value such as
    ``--db postgresql://user:password@host/db`` loses its password."""
    shown = []
    for arg in shlex.split(command):
        name, equals, value = arg.partition("=")
        shown.append(
            f"{name}={_without_password(value)}"
            if equals and name.startswith("--")
            else _without_password(arg)
        )
    return " ".join(shown)
