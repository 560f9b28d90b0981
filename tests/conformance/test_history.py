"""What holds across exchanges (kustom_conformance.History): replays, conflicts and the key's
scope per merchant, a cancelled token, another merchant's token; each able to fail, and a
memory bounded in count and in time."""

from __future__ import annotations

import pytest

from kustom_conformance import RULES, BoundedMemory, History, Response, Side, Violation
from tests.conformance.exchanges import (
    ACCEPTED,
    CONFORMANCE,
    NAMES,
    PAIR_A,
    RAW_B,
    answer,
    cancel,
    changed_order,
    error,
    exchange,
    order,
    placed,
    read,
    token_read,
)

CONFLICT = error(409, "IDEMPOTENCY_KEY_CONFLICT")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def history(clock: Clock | None = None, **bounds: int) -> History:
    return History(CONFORMANCE, BoundedMemory(**bounds), clock=clock or Clock())


def rules_of(found: list[Violation]) -> list[str]:
    return [v.rule for v in found]


def test_a_replay_gets_the_first_answer() -> None:
    seen = history()
    assert seen.feed(exchange(order(key="k"), placed("ord-1"))) == []
    # The same request in the other credential form, with the key's whitespace: the same key.
    again = order(key=" k", auth=PAIR_A)
    assert seen.feed(exchange(again, placed("ord-1"))) == []
    found = seen.feed(exchange(order(key="k"), placed("ord-2")))
    assert rules_of(found) == ["idempotency.replay"]
    assert found[0].side is Side.SERVER
    assert rules_of(seen.feed(exchange(order(key="k"), error(400, "BAD_VALUE")))) == [
        "idempotency.replay"
    ]


def test_a_replay_may_meet_the_rate_limit_first() -> None:
    seen = history()
    seen.feed(exchange(order(key="k"), placed()))
    assert seen.feed(exchange(order(key="k"), error(429, "RATE_LIMITED"))) == []


def test_a_different_request_under_a_used_key_gets_409() -> None:
    seen = history()
    seen.feed(exchange(order(key="k"), placed("ord-1")))
    assert seen.feed(exchange(order(body=changed_order(), key="k"), CONFLICT)) == []
    found = seen.feed(exchange(order(body=changed_order(), key="k"), placed("ord-1")))
    assert rules_of(found) == ["idempotency.conflict"]
    # Another token under the key is another request too; it may be refused for the token.
    assert seen.feed(exchange(order("tok_suspended", key="k"), error(403, "TOKEN_SUSPENDED"))) == []
    assert rules_of(
        seen.feed(exchange(order("tok_card", key="k"), error(400, "BAD_VALUE", "Bad value: x")))
    ) == ["idempotency.conflict"]


def test_an_invalid_different_request_may_be_refused_for_its_body_first() -> None:
    seen = history()
    seen.feed(exchange(order(key="k"), placed()))
    invalid = order(body={"order_amount": -1}, key="k")
    assert seen.feed(exchange(invalid, error(400, "BAD_VALUE", "Bad value: order_lines"))) == []


def test_keys_are_each_merchants_own() -> None:
    seen = history()
    seen.feed(exchange(order(key="shared"), placed("ord-a")))
    # Merchant B's first use of the key: a request of its own, neither a conflict nor A's answer.
    assert (
        seen.feed(
            exchange(
                order("tok_b", body=changed_order(), key="shared", auth=RAW_B), placed("ord-b")
            )
        )
        == []
    )
    other = history()
    other.feed(exchange(order(key="shared"), placed("ord-a")))
    found = other.feed(exchange(order("tok_b", key="shared", auth=RAW_B), CONFLICT))
    assert rules_of(found) == ["idempotency.scope"]
    third = history()
    third.feed(exchange(order(key="shared"), placed("ord-a")))
    found = third.feed(exchange(order("tok_b", key="shared", auth=RAW_B), placed("ord-a")))
    assert rules_of(found) == ["idempotency.scope"]


def test_a_cancelled_token_reads_cancelled_and_places_no_order() -> None:
    seen = history()
    assert seen.feed(exchange(cancel("tok_fresh_1"), ACCEPTED)) == []
    assert seen.feed(exchange(read("tok_fresh_1"), token_read("CANCELLED"))) == []
    assert seen.feed(exchange(order("tok_fresh_1"), error(403, "TOKEN_CANCELED"))) == []
    assert rules_of(seen.feed(exchange(read("tok_fresh_1"), token_read("ACTIVE")))) == [
        "token.cancelled"
    ]
    assert rules_of(seen.feed(exchange(order("tok_fresh_1"), placed()))) == ["token.cancelled"]
    assert rules_of(seen.feed(exchange(order("tok_fresh_1"), error(403, "TOKEN_SUSPENDED")))) == [
        "token.cancelled"
    ]
    # A second cancel, and refusals that come before the token is looked at, say nothing.
    assert seen.feed(exchange(cancel("tok_fresh_1"), ACCEPTED)) == []
    assert seen.feed(exchange(order("tok_fresh_1"), error(400, "BAD_VALUE", "Bad value: x"))) == []


def test_an_order_placed_before_the_cancel_is_replayed_after_it() -> None:
    seen = history()
    seen.feed(exchange(order("tok_fresh_2", key="before"), placed("ord-1")))
    seen.feed(exchange(cancel("tok_fresh_2"), ACCEPTED))
    assert seen.feed(exchange(order("tok_fresh_2", key="before"), placed("ord-1"))) == []
    marked = answer(
        200,
        {"order_id": "ord-9", "fraud_status": "ACCEPTED", "redirect_url": "https://x.test/r"},
        {NAMES.idempotent_replayed: "true"},
    )
    assert seen.feed(exchange(order("tok_fresh_2", key="evicted"), marked)) == []


def test_another_merchants_token_is_refused() -> None:
    seen = history()
    seen.feed(exchange(read("tok_a"), token_read()))
    assert seen.feed(exchange(read("tok_a", auth=RAW_B), error(403, "TOKEN_FORBIDDEN"))) == []
    assert seen.feed(exchange(cancel("tok_a", auth=RAW_B), error(403, "TOKEN_FORBIDDEN"))) == []
    assert seen.feed(exchange(order("tok_a", auth=RAW_B), error(403, "TOKEN_CANCELED"))) == []
    for request, response in [
        (read("tok_a", auth=RAW_B), token_read()),
        (read("tok_a", auth=RAW_B), error(404, "NOT_FOUND")),
        (order("tok_a", auth=RAW_B), placed()),
        (order("tok_a", auth=RAW_B), error(403, "TOKEN_SUSPENDED")),
        (cancel("tok_a", auth=RAW_B), ACCEPTED),
    ]:
        assert rules_of(seen.feed(exchange(request, response))) == ["token.other-merchant"]
    # Merchant A's own token is still A's: a cancel by B did not count.
    assert seen.feed(exchange(read("tok_a"), token_read("ACTIVE"))) == []


def test_unauthenticated_and_unrelated_answers_teach_nothing() -> None:
    seen = history()
    seen.feed(exchange(cancel("tok_fresh_3", auth="Bearer x"), ACCEPTED))
    assert seen.feed(exchange(read("tok_fresh_3"), token_read("ACTIVE"))) == []
    assert seen.feed(exchange(read("tok_fresh_3"), Response.of(401))) == []


def test_a_key_is_forgotten_after_the_spec_window() -> None:
    clock = Clock()
    seen = history(clock)
    seen.feed(exchange(order(key="k"), placed("ord-1")))
    clock.now += CONFORMANCE.replay_window - 1
    assert rules_of(seen.feed(exchange(order(key="k"), placed("ord-2")))) == ["idempotency.replay"]
    clock.now += 2
    assert seen.feed(exchange(order(key="k"), placed("ord-2"))) == []


def test_memory_is_bounded_oldest_first() -> None:
    memory = BoundedMemory(max_keys=2, max_tokens=2)
    seen = History(CONFORMANCE, memory, clock=Clock())
    for number in range(3):
        seen.feed(exchange(order(f"tok_{number}", key=f"k{number}"), placed(f"ord-{number}")))
    assert len(memory) == 4  # two keys, two tokens
    # The first key is forgotten: no verdict on it any more; the last is still held.
    assert seen.feed(exchange(order("tok_0", key="k0"), placed("other"))) == []
    assert rules_of(seen.feed(exchange(order("tok_2", key="k2"), placed("other")))) == [
        "idempotency.replay"
    ]
    with pytest.raises(ValueError, match="at least one"):
        BoundedMemory(max_keys=0)


def test_it_keeps_digests_only() -> None:
    memory = BoundedMemory()
    seen = History(CONFORMANCE, memory, clock=Clock())
    seen.feed(exchange(order("tok_live_secret_1234", key="key-secret-5678"), placed()))
    held = repr(vars(memory))
    for secret in ("tok_live_secret_1234", "key-secret-5678", "kco_test_api_merchant_a"):
        assert secret not in held


def test_every_rule_across_exchanges_is_provoked_here() -> None:
    provoked = {"idempotency.replay", "idempotency.conflict", "idempotency.scope"}
    provoked |= {"token.cancelled", "token.other-merchant"}
    across = {rule for rule in RULES if rule.split(".")[0] in ("idempotency", "token")}
    assert across == provoked
