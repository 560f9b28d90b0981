"""The test servers' one exception root: a server the tests or the benchmarks start as a
process (the mock, Prism, PostgreSQL) that is missing or did not start."""

from __future__ import annotations


class ServerUnavailable(RuntimeError):
    """The server could not be started here; the message says why (exit 2 for a script)."""

    exit_code = 2
