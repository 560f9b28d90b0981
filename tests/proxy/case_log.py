"""A pytest plugin for the contract run in a subprocess (``-p tests.proxy.case_log``): every
request the run sends as a generated case (``Case.call``) written to the JSON-lines file named
by KUSTOM_TEST_CASE_LOG, with the case's id (Schemathesis' X-Schemathesis-TestCaseId header),
its generation mode after the run's hooks, its method, a digest of its body and whether it
carried credentials: what tells a case the run meant to be valid from one it meant to break."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import schemathesis
from schemathesis.core import SCHEMATHESIS_TEST_CASE_HEADER

LOG = os.environ.get("KUSTOM_TEST_CASE_LOG")


def body_digest(body: bytes | str | None) -> str:
    raw = body.encode() if isinstance(body, str) else body or b""
    return hashlib.sha256(raw).hexdigest()


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if LOG is None:
        return
    sent = response.request
    line = {
        "id": sent.headers.get(SCHEMATHESIS_TEST_CASE_HEADER),
        "mode": case.meta.generation.mode.value if case.meta is not None else "explicit",
        "method": sent.method,
        "body": body_digest(sent.body),
        "auth": "Authorization" in sent.headers,
        "status": response.status_code,
    }
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")
