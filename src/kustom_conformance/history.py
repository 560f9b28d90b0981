"""What holds across exchanges (openapi.yaml's prose), fed one exchange at a time: ``History``.

- **Idempotency** (``#/components/parameters/IdempotencyKey``): a repeat of a request under its
  key, within the spec's window, gets the first answer; a different request under a used key
  gets 409; keys are each merchant's own, so another merchant's key is neither replayed nor a
  conflict. A key is taken by a 2xx answer: the spec does not say which refusals keep one.
- **A cancelled token** reads ``CANCELLED`` and is refused orders with ``403 TOKEN_CANCELED``.
- **Another merchant's token** (one a merchant used with success) is refused: its read and
  cancel with ``403 TOKEN_FORBIDDEN``, an order with ``403 TOKEN_CANCELED``.

An answer to a repeat (replayed under its key, or marked so by the spec's replay header)
answers the earlier request, so the token's state is not held against it.

What it remembers is bounded: at most ``max_keys`` keys and ``max_tokens`` tokens (the oldest
forgotten first), a key no longer than the window; only digests, never a token, a key or a
credential. Forgetting costs a check, never a false verdict. The memory is a seam
(``Memory``): one kept in a file or a shared store can serve several processes.
"""

from __future__ import annotations

import enum
import hashlib
import json
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from kustom_conformance.core import Conformance, correlation_id
from kustom_conformance.exchange import NOT_JSON, Exchange, Request, Response
from kustom_conformance.merchants import digest, merchant_of
from kustom_conformance.routes import Match
from kustom_conformance.violations import Side, Violation, violation

DEFAULT_MAX_KEYS = 100_000
DEFAULT_MAX_TOKENS = 100_000
# The three operations the prose speaks of, by operationId.
READ, ORDER, CANCEL = "readCustomerToken", "createOrder", "patchCustomerToken"
# What a token of another merchant gets (openapi.yaml: TokenForbidden for the read and the
# status change; OrderForbidden's TOKEN_CANCELED, "isn't linked to your merchant ID", for an
# order), and where the spec says so.
OTHER_MERCHANTS_CODE = {READ: "TOKEN_FORBIDDEN", CANCEL: "TOKEN_FORBIDDEN", ORDER: "TOKEN_CANCELED"}
OTHER_MERCHANTS_SOURCE = {
    READ: "#/components/responses/TokenForbidden",
    CANCEL: "#/components/responses/TokenForbidden",
    ORDER: "#/components/responses/OrderForbidden",
}
CANCELLED_SOURCE = "#/components/schemas/TokenStatus"
KEY_SOURCE = "#/components/parameters/IdempotencyKey"
CONFLICT_SOURCE = "#/components/responses/Conflict"
# Answers that say nothing of the key or the token: the credentials, the rate limit, a service
# that is down may come first whatever the request.
UNRELATED = frozenset({401, 429, 503})
# What a different request under a used key may get besides 409: the spec orders no refusal of
# the token before the key, nor (for a request that breaks the spec) of the request itself.
CONFLICT_REFUSALS = frozenset({409, 403, 404}) | UNRELATED
INVALID_REQUEST_REFUSALS = frozenset({400, 413, 415})


@dataclass(frozen=True)
class KeyRecord:
    """A key's first answer: the request it answered (``fingerprint``), its status, a digest of
    its body, and when (the History's clock)."""

    fingerprint: str
    status: int
    body: str
    at: float


@dataclass(frozen=True)
class TokenRecord:
    owner: str  # the merchant's pseudonym
    cancelled: bool = False


class Memory(Protocol):
    """Where a History keeps what it learned (digests only): per merchant and key, the key's
    first answer; per token, its owner and whether it is cancelled."""

    def key(self, merchant: str, key: str) -> KeyRecord | None: ...

    def others_key(self, merchant: str, key: str) -> KeyRecord | None:
        """The record of ``key`` under another merchant than ``merchant``, if any."""
        ...

    def keep_key(self, merchant: str, key: str, record: KeyRecord) -> None: ...

    def forget_key(self, merchant: str, key: str) -> None: ...

    def token(self, token: str) -> TokenRecord | None: ...

    def keep_token(self, token: str, record: TokenRecord) -> None: ...


class BoundedMemory:
    """A Memory in this process: at most ``max_keys`` keys and ``max_tokens`` tokens, the ones
    least recently kept forgotten first."""

    def __init__(
        self, max_keys: int = DEFAULT_MAX_KEYS, max_tokens: int = DEFAULT_MAX_TOKENS
    ) -> None:
        if max_keys < 1 or max_tokens < 1:
            raise ValueError("a memory keeps at least one key and one token")
        self.max_keys = max_keys
        self.max_tokens = max_tokens
        self._keys: OrderedDict[tuple[str, str], KeyRecord] = OrderedDict()
        self._merchants_by_key: dict[str, set[str]] = {}
        self._tokens: OrderedDict[str, TokenRecord] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys) + len(self._tokens)

    def key(self, merchant: str, key: str) -> KeyRecord | None:
        return self._keys.get((merchant, key))

    def others_key(self, merchant: str, key: str) -> KeyRecord | None:
        for other in self._merchants_by_key.get(key, ()):
            if other != merchant:
                return self._keys[(other, key)]
        return None

    def keep_key(self, merchant: str, key: str, record: KeyRecord) -> None:
        self._keys[(merchant, key)] = record
        self._keys.move_to_end((merchant, key))
        self._merchants_by_key.setdefault(key, set()).add(merchant)
        while len(self._keys) > self.max_keys:
            oldest = next(iter(self._keys))
            self.forget_key(*oldest)

    def forget_key(self, merchant: str, key: str) -> None:
        self._keys.pop((merchant, key), None)
        merchants = self._merchants_by_key.get(key)
        if merchants is not None:
            merchants.discard(merchant)
            if not merchants:
                del self._merchants_by_key[key]

    def token(self, token: str) -> TokenRecord | None:
        return self._tokens.get(token)

    def keep_token(self, token: str, record: TokenRecord) -> None:
        self._tokens[token] = record
        self._tokens.move_to_end(token)
        while len(self._tokens) > self.max_tokens:
            self._tokens.popitem(last=False)


class _Key(enum.Enum):
    NONE = "no key"
    FIRST = "first use"
    REPEAT = "a repeat"


def _body_digest(response: Response) -> str:
    """The answer's body as compared for a replay: as JSON when it is, so that formatting and
    key order do not count; else its bytes."""
    parsed = response.json
    if parsed is NOT_JSON:
        return hashlib.sha256(response.body).hexdigest()
    canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint(match: Match, request: Request) -> str:
    """What makes two requests under one key the same request: the operation, its path
    parameters (the token) and the body as JSON (or its bytes), as the mock compares them."""
    parsed = request.json
    body = request.body if parsed is NOT_JSON else json.dumps(parsed, sort_keys=True).encode()
    head = f"{match.operation_id}\n{sorted(match.path_params.items())}\n"
    return hashlib.sha256(head.encode("utf-8", "surrogatepass") + body).hexdigest()


def _code(response: Response) -> object:
    body = response.json
    return body.get("error_code") if isinstance(body, dict) else None


class History:
    """The exchanges seen so far, as far as the spec's prose needs them; ``feed`` each exchange
    in the order its answer came, and get what it breaks given the ones before."""

    def __init__(
        self,
        conformance: Conformance,
        memory: Memory | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conformance = conformance
        self.memory: Memory = memory if memory is not None else BoundedMemory()
        self.clock = clock
        self.window = conformance.replay_window
        # How many exchanges each rule judged (a verdict either way), for a run's coverage.
        self.judged: Counter[str] = Counter()

    def feed(self, exchange: Exchange) -> list[Violation]:
        request, response = exchange.request, exchange.response
        match = self.conformance.match(request)
        if match is None or response.status in UNRELATED:
            return []
        names = self.conformance.names
        merchant = merchant_of(request.header(self.conformance.authorization), names.auth_scheme)
        if merchant is None:
            return []
        found: list[Violation] = []
        use = _Key.NONE
        key = (
            request.header(names.idempotency_key)
            if match.operation.has_parameter("header", names.idempotency_key)
            else None
        )
        key = key.strip(" \t") if key else None
        if key:
            use, found = self._idempotency(match, merchant, digest(key), exchange)
        replayed = use is _Key.REPEAT or response.has_header(names.idempotent_replayed)
        token = match.path_params.get(self.conformance.token_parameter)
        if token and not replayed:
            found += self._token_state(match, merchant, digest(token), response)
        return found

    def _cid(self, response: Response) -> str | None:
        return correlation_id(self.conformance.names, response)

    def _idempotency(
        self, match: Match, merchant: str, key: str, exchange: Exchange
    ) -> tuple[_Key, list[Violation]]:
        request, response = exchange.request, exchange.response
        op, status = match.operation_id, response.status
        now = self.clock()
        record = self.memory.key(merchant, key)
        if record is not None and now - record.at > self.window:
            self.memory.forget_key(merchant, key)
            record = None
        fingerprint = _fingerprint(match, request)
        cid = self._cid(response)
        if record is not None and record.fingerprint == fingerprint:
            self.judged["idempotency.replay"] += 1
            if status != record.status or _body_digest(response) != record.body:
                return _Key.REPEAT, [
                    violation(
                        "idempotency.replay",
                        KEY_SOURCE,
                        op,
                        f"a repeat of a request under its key got {status}, not the first answer "
                        f"({record.status}"
                        + (", another body)" if status == record.status else ")"),
                        correlation_id=cid,
                    )
                ]
            return _Key.REPEAT, []
        if record is not None:
            self.judged["idempotency.conflict"] += 1
            allowed = CONFLICT_REFUSALS
            if any(v.side is Side.CLIENT for v in self.conformance.check_request(request)):
                allowed |= INVALID_REQUEST_REFUSALS
            if status in allowed:
                return _Key.FIRST, []
            return _Key.FIRST, [
                violation(
                    "idempotency.conflict",
                    CONFLICT_SOURCE,
                    op,
                    f"a different request under a key the merchant used got {status}, "
                    "not 409 IDEMPOTENCY_KEY_CONFLICT",
                    correlation_id=cid,
                )
            ]
        found = []
        others = self.memory.others_key(merchant, key)
        if others is not None and now - others.at <= self.window:
            self.judged["idempotency.scope"] += 1
            replayed = response.has_header(self.conformance.names.idempotent_replayed) or (
                bool(response.body) and _body_digest(response) == others.body
            )
            if status == 409 or (200 <= status < 300 and replayed):
                what = "refused as a conflict" if status == 409 else "answered with its answer"
                found.append(
                    violation(
                        "idempotency.scope",
                        KEY_SOURCE,
                        op,
                        f"a key another merchant used was {what} ({status}); "
                        "a key is each merchant's own",
                        correlation_id=cid,
                    )
                )
        if 200 <= status < 300:
            self.memory.keep_key(
                merchant, key, KeyRecord(fingerprint, status, _body_digest(response), now)
            )
        return _Key.FIRST, found

    def _token_state(
        self, match: Match, merchant: str, token: str, response: Response
    ) -> list[Violation]:
        op, status = match.operation_id, response.status
        record = self.memory.token(token)
        if record is not None and record.owner != merchant:
            return self._other_merchants(op, response)
        found = self._cancelled(op, response) if record is not None and record.cancelled else []
        if 200 <= status < 300 and not found:
            record = record or TokenRecord(merchant)
            if op == CANCEL:
                record = replace(record, cancelled=True)
            self.memory.keep_token(token, record)
        return found

    def _other_merchants(self, op: str, response: Response) -> list[Violation]:
        status = response.status
        wanted = OTHER_MERCHANTS_CODE.get(op)
        if wanted is None or not (200 <= status < 300 or status in (403, 404)):
            return []  # refused before the token was looked at (a bad body, say)
        self.judged["token.other-merchant"] += 1
        if status == 403 and _code(response) == wanted:
            return []
        got = f"{status} {_code(response)!r}" if status >= 400 else str(status)
        return [
            violation(
                "token.other-merchant",
                OTHER_MERCHANTS_SOURCE[op],
                op,
                f"another merchant's token got {got}, not 403 {wanted}",
                correlation_id=self._cid(response),
            )
        ]

    def _cancelled(self, op: str, response: Response) -> list[Violation]:
        status = response.status
        cid = self._cid(response)
        if op == READ and status in (200, 404):
            self.judged["token.cancelled"] += 1
            body = response.json
            read = body.get("status") if isinstance(body, dict) else None
            if status == 200 and read == "CANCELLED":
                return []
            got = f"reads as {read!r}" if status == 200 else "is not found (404)"
            return [
                violation(
                    "token.cancelled",
                    CANCELLED_SOURCE,
                    op,
                    f"a token whose cancel was accepted (202) {got}, not 'CANCELLED'",
                    correlation_id=cid,
                )
            ]
        if op == ORDER and (200 <= status < 300 or status in (403, 404)):
            self.judged["token.cancelled"] += 1
            if status == 403 and _code(response) == "TOKEN_CANCELED":
                return []
            got = f"{status} {_code(response)!r}" if status >= 400 else f"{status} (an order)"
            return [
                violation(
                    "token.cancelled",
                    CANCELLED_SOURCE,
                    op,
                    f"an order with a token whose cancel was accepted (202) got {got}, "
                    "not 403 TOKEN_CANCELED",
                    correlation_id=cid,
                )
            ]
        return []
