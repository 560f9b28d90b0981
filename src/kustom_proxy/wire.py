"""What a proxy changes on the wire, as HTTP requires, and nothing more: the hop-by-hop headers
(RFC 9110, section 7.6.1: Connection and the fields it names, Proxy-Connection, Keep-Alive, TE,
Transfer-Encoding, Upgrade) are the connection's, not the message's; and, for its checks only,
an answer's content coding undone within a bound.

Decoded here with zlib rather than by httpx: the answer's bytes must pass through as they came
(httpx's raw stream), and httpx's decoders bound neither the output nor its ratio to the input
(a gzip bomb)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

RawHeaders = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {b"connection", b"proxy-connection", b"keep-alive", b"te", b"transfer-encoding", b"upgrade"}
)
# Fields of a request that the proxy's own server and client answer for: Host names the
# upstream once forwarded, and an Expect: 100-continue was answered by the proxy's server.
REQUEST_ONLY = frozenset({b"host", b"expect"})
_CODINGS = {
    "gzip": (16 + zlib.MAX_WBITS,),
    "x-gzip": (16 + zlib.MAX_WBITS,),
    "deflate": (zlib.MAX_WBITS, -zlib.MAX_WBITS),  # zlib-wrapped, as HTTP says, or raw
}


def end_to_end(
    headers: Iterable[tuple[bytes, bytes]], also: frozenset[bytes] = frozenset()
) -> RawHeaders:
    """``headers`` without the hop-by-hop ones (and ``also``), in their order and spelling."""
    pairs = list(headers)
    named = {
        token.strip().lower()
        for name, value in pairs
        if name.lower() == b"connection"
        for token in value.split(b",")
    }
    dropped = HOP_BY_HOP | named | also
    return [(name, value) for name, value in pairs if name.lower() not in dropped]


def decoded(body: bytes, content_encoding: str | None, limit: int) -> bytes | None:
    """``body`` with its content codings undone (gzip, deflate), or None when a coding is
    another (br, zstd), the body does not decode whole, or it would pass ``limit`` bytes."""
    codings = [
        coding.strip().lower()
        for coding in (content_encoding or "").split(",")
        if coding.strip() and coding.strip().lower() != "identity"
    ]
    for coding in reversed(codings):  # the last applied is undone first
        attempts = [_inflated(body, wbits, limit) for wbits in _CODINGS.get(coding, ())]
        found = next((out for out in attempts if out is not None), None)
        if found is None:
            return None
        body = found
    return body


def _inflated(body: bytes, wbits: int, limit: int) -> bytes | None:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        return None
    if len(out) > limit or inflater.unconsumed_tail or not inflater.eof:
        return None
    return out
