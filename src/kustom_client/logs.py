"""The ``kustom`` logger, and keeping customer tokens out of log lines.

Off by default: the client logs at INFO and DEBUG, which Python does not show unless the
application configures logging. ``KUSTOM_LOG=info`` or ``debug`` (read when kustom_client is
imported) sends the lines to stderr. No line carries the API key or a customer token.

httpx logs every request at INFO (``HTTP Request: POST <url> ...``) on the ``httpx`` logger,
and the URL holds the customer token; httpcore's DEBUG trace (off unless asked for) repeats
the response's headers as the server sent them. Neither has an option to leave them out, so
the client adds a filter to those loggers (the lines stay): during a call it replaces that
call's secrets (``Call.redact``), and any customer token in an API path is masked with
kustom_redact's mask (a prefix and a hash).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from kustom_client.constants import ENV_LOG
from kustom_redact import Redactor

logger = logging.getLogger("kustom")

REDACTED = "***"  # what the client's own messages show for a secret
_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
_HANDLER_NAME = "kustom-env"
# No known secret: only the customer token in each of the API's paths, masked.
_PATHS = Redactor()
# Every logger httpx and httpcore write on.
_HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
# How the lines logged in this thread or task are redacted: the call's secrets during a call.
_REDACT: ContextVar[Callable[[str], str]] = ContextVar("kustom_log_redact", default=_PATHS.text)


def configure_logging(environ: Mapping[str, str] | None = None) -> None:
    """Apply KUSTOM_LOG: ``info`` or ``debug`` logs to stderr; unset or anything else leaves the
    ``kustom`` logger to the application. Safe to call again (tests do)."""
    env = os.environ if environ is None else environ
    level = _LEVELS.get(env.get(ENV_LOG, "").strip().lower())
    ours = [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]
    for handler in ours:
        logger.removeHandler(handler)
    if level is None:
        if ours:  # undo only what an earlier call did; the application's settings stay
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    # One copy of each line, even when the application also logs to stderr through the root.
    logger.propagate = False


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _REDACT.get()(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_filter = _Redact()


def redact_http_logs() -> None:
    """Add the filter to httpx's and httpcore's loggers, once per process."""
    for name in _HTTP_LOGGERS:
        http_logger = logging.getLogger(name)
        if _filter not in http_logger.filters:
            http_logger.addFilter(_filter)


@contextmanager
def redacting(redact: Callable[[str], str]) -> Iterator[None]:
    """While inside, httpx's and httpcore's lines in this thread or task go through
    ``redact`` (the call's secrets, and tokens in paths)."""
    token = _REDACT.set(redact)
    try:
        yield
    finally:
        _REDACT.reset(token)
