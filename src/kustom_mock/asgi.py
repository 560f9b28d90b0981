"""The ASGI types the mock's modules share, and the extension its own protocol offers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The mock's protocol (kustom_mock.protocol) puts ``{"cut": cut}`` under this key of a request's
# ``scope["extensions"]``: ``cut(data, reset=...)`` writes ``data`` as it is and closes the
# connection (``reset``: with a TCP RST, the data discarded), and the request is then over for
# uvicorn too. The faults that break an answer on the wire use it (kustom_mock.fault_effects).
CONNECTION_EXTENSION = "kustom_mock.connection"
