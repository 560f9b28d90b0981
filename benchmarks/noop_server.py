"""The ceiling: a bare ASGI endpoint on the mock's server stack (same uvicorn settings), that
reads the body and answers a fixed order. ``python -m benchmarks.noop_server`` takes the mock's
flags."""

from __future__ import annotations

import sys

from kustom_mock.app import Receive, Scope, Send, lifespan
from kustom_mock.cli import configure_logging, parse_config, serve

BODY = b'{"order_id":"o","redirect_url":"https://x","fraud_status":"ACCEPTED"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    config = parse_config(sys.argv[1:])
    configure_logging(config.server.log_level)
    sys.exit(serve(app, config, label="noop"))
