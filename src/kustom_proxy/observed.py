"""One exchange as the proxy saw it, or as a HAR file holds it: what the checks and the records
are made from."""

from __future__ import annotations

from dataclasses import dataclass

from kustom_conformance import Exchange, Request, Response


@dataclass(frozen=True)
class Observed:
    """``request`` as forwarded (its path as sent, a query string included; its body empty when
    it was not held); ``response`` as the upstream sent it, its content coding undone, or the
    proxy's own answer when ``upstream_failure`` says why there was none. ``unchecked``: why
    the exchange was forwarded without being checked (a body over the proxy's limit, ...)."""

    started: float  # when the request came (seconds since the epoch)
    duration: float  # seconds until its answer was whole
    origin: str  # scheme://host[:port] the request went to
    request: Request
    response: Response
    reason: str = ""  # the status line's reason phrase
    unchecked: str | None = None
    upstream_failure: str | None = None
    request_held: bool = True  # False: the body was streamed through, not held (``unchecked``)
    response_held: bool = True

    @property
    def url(self) -> str:
        return self.origin + self.request.path

    @property
    def answered_at(self) -> float:
        return self.started + self.duration

    @property
    def exchange(self) -> Exchange:
        return Exchange(self.request, self.response)
