"""The contract run's session (kustom_contract/transport.py) and its watchdog
(watchdog.py), against servers that misbehave: every request ends within its bound,
or stops the run with a line that says what the target did; an answer in time comes back whole
and leaves nothing armed behind it."""

from __future__ import annotations

import socket

import pytest

from contract_tests.hostile_servers import (
    Behaviour as ServerBehaviour,
)
from contract_tests.hostile_servers import (
    drip,
    fixed,
    garbage,
    hang_up,
    hostile_server,
    in_turn,
    silent,
    slow,
)
from kustom_contract.transport import BoundedSession, Stop, TargetStopped
from kustom_contract.watchdog import DeadlinePassed, RunClock, Watchdog
from kustom_servers.ports import free_port

BOUND = 0.5  # seconds a request may take here
PATH = "/customer-token/v1/tokens/tok_x"
# One for the module: a watchdog's thread lives as long as the process.
WATCHDOG = Watchdog()


def stop_for(behaviour: ServerBehaviour) -> Stop:
    with (
        hostile_server(behaviour) as url,
        BoundedSession(WATCHDOG, BOUND, url) as session,
        pytest.raises(TargetStopped) as stopped,
    ):
        # A read timeout far above the bound: only the bound can end the request.
        session.get(url + PATH, timeout=30)
    return stopped.value.stop


def test_a_silent_server_is_held_to_the_bound() -> None:
    assert stop_for(silent).did == (
        f"did not send its status line and headers within 0.5 s of GET {PATH} "
        "(KUSTOM_REQUEST_TIMEOUT)"
    )


def test_a_server_that_drips_never_waits_out_a_read_timeout_but_meets_the_bound() -> None:
    assert "its status line and headers within 0.5 s" in stop_for(drip(0.05)).did
    assert "the end of its body within 0.5 s" in stop_for(drip(0.05, head_at_once=True)).did


def test_an_answer_that_is_not_http_stops_the_run_at_once() -> None:
    stop = stop_for(garbage)
    assert (
        stop.did == f"answered GET {PATH} with something that is not HTTP ('what is HTTP?\\r\\n')"
    )
    assert stop.line().startswith("the contract run stops: http://127.0.0.1:")


def test_a_closed_port_and_a_hang_up_are_named() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with BoundedSession(WATCHDOG, BOUND, url) as session, pytest.raises(TargetStopped) as refused:
        session.get(url + "/", timeout=30)
    assert refused.value.stop.did == "refused the connection for GET /"
    assert stop_for(hang_up).did == f"closed the connection without answering GET {PATH}"


def test_a_keep_alive_connection_the_server_dropped_is_sent_again_once() -> None:
    """The second request meets a connection the server closes without answering (as one
    closed between requests looks): it is sent again on a fresh one."""
    with (
        hostile_server(in_turn(fixed(404), hang_up, fixed(418))) as url,
        BoundedSession(WATCHDOG, BOUND, url) as session,
    ):
        assert session.get(url + PATH, timeout=30).status_code == 404
        assert session.get(url + PATH, timeout=30).status_code == 418


def test_an_answer_in_time_comes_back_whole_and_leaves_no_deadline_behind() -> None:
    with (
        hostile_server(slow(0.1, fixed(500))) as url,
        BoundedSession(WATCHDOG, BOUND, url) as session,
    ):
        response = session.get(url + PATH, timeout=30)
    assert response.status_code == 500
    assert response.json()["error_code"] == "INTERNAL"
    # Past the request's bound, a blocked read ends by its own timeout, not by the watchdog.
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(2 * BOUND)
        with pytest.raises(TimeoutError):
            left.recv(1)


def test_the_run_clock_is_spent_only_while_it_runs() -> None:
    clock = RunClock(WATCHDOG, BOUND)
    with clock.running():
        pass
    assert not clock.spent
    left, right = socket.socketpair()
    with left, right, pytest.raises(DeadlinePassed) as passed, clock.running():
        left.recv(1)  # blocks until the clock's bound interrupts it
    assert passed.value.name == RunClock.NAME
    assert clock.spent
    with pytest.raises(DeadlinePassed), clock.running():
        pytest.fail("a spent clock must not run its block")
