"""What create_app builds from its arguments: the behaviour it was given, and the names of the
spec it was given."""

from __future__ import annotations

from kustom_mock import Behaviour, create_app


class FalsyBehaviour(Behaviour):
    """A Behaviour that is false in a boolean context (a container-like subclass, say)."""

    def __len__(self) -> int:
        return 0


def test_a_falsy_behaviour_is_kept_not_replaced_by_the_default() -> None:
    behaviour = FalsyBehaviour()
    app = create_app(behaviour=behaviour)
    try:
        assert app.behaviour is behaviour
    finally:
        app.store.close()
