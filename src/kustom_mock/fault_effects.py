"""What an armed fault (kustom_mock.faults) does to the request that takes it: the answer a
``status`` fault gives in place of the operation, and how ``reset``, ``truncate`` and
``slow_body`` break an answer on the wire (docs/mock.md, "Faults")."""

from __future__ import annotations

import asyncio

from kustom_mock.asgi import CONNECTION_EXTENSION, Scope, Send
from kustom_mock.errors import ApiError, Response, service_unavailable
from kustom_mock.faults import DEFAULT_RETRY_AFTER, SLOW_BODY_PIECES, FaultAction, FaultKind
from kustom_mock.protocol import raw_head
from kustom_mock.ratelimit import limit_value, rate_limited
from kustom_spec import Names

# The limit a 429 fault's headers state when --rate-limit is off: the playground's, 50 requests
# per second (openapi.yaml, TooManyRequests).
PLAYGROUND_RATE_LIMIT = 50


def status_error(action: FaultAction, names: Names, rate_limit: int | None) -> ApiError:
    """A ``status`` fault's answer, in the API's error shape: 429 and 503 as the mock's own
    (the rate limit's headers with none remaining; the retry delay), 500 as Klarna's older
    page has it (``INTERNAL_SERVER_ERROR``; openapi.yaml declares no 500, Kustom documents none)."""
    retry_after = DEFAULT_RETRY_AFTER if action.retry_after is None else action.retry_after
    if action.status == 429:
        limit = rate_limit or PLAYGROUND_RATE_LIMIT
        headers = {
            names.rate_limit_limit: limit_value(limit),
            names.rate_limit_remaining: "0",
            names.rate_limit_reset: str(retry_after),
            names.retry_after: str(retry_after),
        }
        return rate_limited(limit, retry_after, headers)
    if action.status == 503:
        return service_unavailable(names.retry_after, retry_after)
    return ApiError(500, "INTERNAL_SERVER_ERROR", ["You can wait and try again soon."])


async def send_broken(
    send: Send,
    scope: Scope,
    response: Response,
    headers: list[tuple[bytes, bytes]],
    action: FaultAction,
) -> None:
    """Send ``response`` (with its ``headers`` as written) as ``action`` breaks it: reset
    without an answer, cut short, or slowly. Reset and truncate need the mock's own server
    (the connection extension); an app served otherwise raises ConnectionResetError."""
    body = response.body
    if action.kind is FaultKind.SLOW_BODY:
        assert action.ms is not None
        # The head at once, then the body in pieces, one after each equal pause (an empty body
        # as one empty piece, after the whole time).
        step = -(-len(body) // SLOW_BODY_PIECES) or 1
        pieces = [body[start : start + step] for start in range(0, len(body), step)] or [b""]
        pause = action.ms / 1000 / len(pieces)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        for number, piece in enumerate(pieces, start=1):
            await asyncio.sleep(pause)
            more = number < len(pieces)
            await send({"type": "http.response.body", "body": piece, "more_body": more})
        return
    connection = scope.get("extensions", {}).get(CONNECTION_EXTENSION)
    if connection is None:
        raise ConnectionResetError(f"the {action.kind} fault needs the mock's own server")
    if action.kind is FaultKind.RESET:
        connection["cut"](b"", reset=True)
        return
    head = raw_head(response.status, headers)
    # Half the body after a whole head, or half the head when there is no body.
    cut = len(head) + len(body) // 2 if body else len(head) // 2
    connection["cut"]((head + body)[:cut])
