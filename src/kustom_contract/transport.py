"""The contract run's HTTP session: every request bounded from connecting to the last byte of
its answer, and a target that cannot be tested (it stalls, answers too slowly, answers
something that is not HTTP, refuses or drops the connection) stops the run with one line that
says what it did, instead of failing every case that follows.

``TargetStopped`` is a ``BaseException`` for the same reason as ``DeadlinePassed``
(kustom_contract/watchdog.py): Hypothesis must not shrink it, nor a check catch it.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from kustom_contract.watchdog import DeadlinePassed, Watchdog

REQUEST = "request"  # the watchdog's name for the request under way


@dataclass(frozen=True)
class Stop:
    """Why the run stops: the target and what it did (naming the bound it broke, if any)."""

    target: str
    did: str

    def line(self) -> str:
        return f"the contract run stops: {self.target} {self.did}"


class TargetStopped(BaseException):
    def __init__(self, stop: Stop) -> None:
        super().__init__(stop.line())
        self.stop = stop


def _causes(error: BaseException) -> list[BaseException]:
    """``error`` and everything it wraps (requests and urllib3 nest them in args and reason)."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if any(current is known for known in seen):
            continue
        seen.append(current)
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return seen


def _dropped(error: BaseException) -> bool:
    """Closed or reset before any answer: what a keep-alive connection the server had already
    closed looks like too."""
    return any(
        isinstance(cause, http.client.RemoteDisconnected | ConnectionResetError)
        for cause in _causes(error)
    )


def _what_broke(error: BaseException, label: str) -> str:
    """What the target did with the request ``label``, read off the exception chain."""
    causes = _causes(error)
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError | NewConnectionError):
            return f"refused the connection for {label}"
    if _dropped(error):
        return f"closed the connection without answering {label}"
    for cause in causes:
        if isinstance(cause, http.client.BadStatusLine):
            return f"answered {label} with something that is not HTTP ({str(cause)[:60]!r})"
        if isinstance(cause, http.client.IncompleteRead):
            return f"broke off its answer to {label}"
    return f"failed {label} ({type(error).__name__})"


class BoundedSession(requests.Session):
    """A requests session whose every request (and each hop of a redirect) ends within
    ``seconds``: connecting, sending and reading the whole answer. A target that cannot be
    tested raises ``TargetStopped``; an answer of any status is returned as usual."""

    def __init__(self, watchdog: Watchdog, seconds: float, target: str) -> None:
        super().__init__()
        self.watchdog = watchdog
        self.seconds = seconds
        self.target = target
        self.on_send: Callable[[], None] | None = None  # the run's progress, at each request
        self._waiting_for = ""  # what the request under way waits for (for the stop's line)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        label = f"{request.method} {urlsplit(request.url or '').path}"
        if self.on_send is not None:
            self.on_send()
        try:
            with self.watchdog.armed(REQUEST, self.seconds):
                try:
                    return self._exchange(request, **kwargs)
                except requests.ConnectionError as error:
                    if not _dropped(error):
                        raise
                # A keep-alive connection the server had closed: once more on a fresh one, as
                # browsers and curl do (and Schemathesis' own transport), within the same bound.
                return self._exchange(request, **kwargs)
        except (DeadlinePassed, requests.Timeout) as passed:
            # A read timeout (the run's callers set it to the same bound) may come first.
            if isinstance(passed, DeadlinePassed) and passed.name != REQUEST:
                raise
            did = (
                f"did not send {self._waiting_for} within {self.seconds:g} s of {label} "
                "(KUSTOM_REQUEST_TIMEOUT)"
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            did = _what_broke(error, label)
        self.close()  # whatever the connection holds is of no use now
        raise TargetStopped(Stop(self.target, did))

    def _exchange(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self._waiting_for = "its status line and headers"
        # Streamed, so that the body is read here, where the line can say so (the caller gets
        # it read either way).
        response = super().send(request, **{**kwargs, "stream": True})
        self._waiting_for = "the end of its body"
        response.content  # noqa: B018 (read the body within the bound)
        return response
