"""The contract run's secrets, as kustom_redact replaces them, read off its target.

Every secret the run knows is replaced by the variable that holds it, so that a replay line
(kustom_contract/answers.py) still works with the run's variables set: the API key
(``$KUSTOM_API_KEY``, also inside an Authorization header and as base64), the username with
the key (``$KUSTOM_USERNAME:$KUSTOM_API_KEY``, also as the base64 an Authorization header
carries), and against a
server other than the spawned mock the customer and cancel tokens (``$KUSTOM_CUSTOMER_TOKEN``,
``$KUSTOM_CANCEL_TOKEN``), in every form ``kustom_redact.forms_of`` lists; a second merchant's
key, username with key and token likewise (``$KUSTOM_SECOND_API_KEY``, ...).

The spawned mock's key is replaced too, the same way, though it is public test data: one
redaction whatever the target, so that a run against the mock shows what a live run writes.
Its tokens are public test data that a replay line must name, so they stay. Against any other
server every other token in an API path is masked as well (a server's echo, another
merchant's), except in what the run sent itself, which holds only tokens it chose or generated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from kustom_contract.target import Target
from kustom_redact import Masker, Redactor, Secret


@dataclass(frozen=True)
class RunRedaction:
    """``report``: for everything the run writes. ``replay``: for what it sent, written to be
    sent again (a failure's request, its body file and replay line): the same secrets by
    reference, every token in a path kept."""

    report: Redactor
    replay: Redactor


def run_secrets(target: Target) -> tuple[Secret, ...]:
    found = [Secret(target.api_key, "$KUSTOM_API_KEY")]
    if target.username:
        pair = f"{target.username}:{target.api_key}"
        found.append(Secret(pair, "$KUSTOM_USERNAME:$KUSTOM_API_KEY"))
    second = target.second
    if second is not None:
        found.append(Secret(second.api_key, "$KUSTOM_SECOND_API_KEY"))
        if second.username:
            pair = f"{second.username}:{second.api_key}"
            found.append(Secret(pair, "$KUSTOM_SECOND_USERNAME:$KUSTOM_SECOND_API_KEY"))
    if not target.is_mock:
        found.append(Secret(target.approving_tokens[0], "$KUSTOM_CUSTOMER_TOKEN"))
        if second is not None and second.token is not None:
            found.append(Secret(second.token, "$KUSTOM_SECOND_CUSTOMER_TOKEN"))
        if target.cancel_token is not None:
            found.append(Secret(target.cancel_token, "$KUSTOM_CANCEL_TOKEN"))
    return tuple(found)


def run_redaction(target: Target) -> RunRedaction:
    # A key of the run's own: the same token gets the same mask throughout one run's reports,
    # and no one can test guesses against a mask.
    report = Redactor(
        run_secrets(target), Masker(key=secrets.token_bytes(32)), mask_paths=not target.is_mock
    )
    return RunRedaction(report, replace(report, mask_paths=False))
