"""The ``kustom`` logger, and keeping customer tokens out of log lines.

Off by default: the client logs at INFO and DEBUG, which Python does not show unless the
application configures logging. ``KUSTOM_LOG=info`` or ``debug`` (read when kustom_client is
imported) sends the lines to stderr. No line carries the API key or a customer token.

httpx logs every request at INFO (``HTTP Request: POST <url> ...``) on the ``httpx`` logger,
and the URL holds the customer token. httpx has no option to leave the URL out, so the client
adds a filter to that logger that masks the token in Kustom's paths (the line stays).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping

from kustom_client.constants import ENV_LOG, TOKENS_PATH

logger = logging.getLogger("kustom")

REDACTED = "***"
# The customer token is the path segment after TOKENS_PATH.
_TOKEN_SEGMENT = re.compile("(" + re.escape(TOKENS_PATH) + r"/)[^/?#\s\"]+")
_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
_HANDLER_NAME = "kustom-env"


def redact(text: str) -> str:
    """``text`` with every customer token in a Kustom path replaced by ***."""
    return _TOKEN_SEGMENT.sub(rf"\g<1>{REDACTED}", text)


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


class _RedactTokens(logging.Filter):
    """Masks customer tokens in the arguments of httpx's request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any("/tokens/" in str(a) for a in record.args):
            record.args = tuple(redact(str(a)) if "/tokens/" in str(a) else a for a in record.args)
        elif isinstance(record.msg, str) and "/tokens/" in record.msg:
            record.msg = redact(record.msg)
        return True


_httpx_filter = _RedactTokens()


def redact_httpx_log() -> None:
    """Add the filter to the ``httpx`` logger, once per process."""
    httpx_logger = logging.getLogger("httpx")
    if _httpx_filter not in httpx_logger.filters:
        httpx_logger.addFilter(_httpx_filter)
