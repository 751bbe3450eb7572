"""Attacks on the login's loopback listener, with real sockets: a callback from another host,
and a second callback after the first."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from adapters.auth.loopback_listener import LoopbackListener
from domain.auth.errors import StateMismatch
from tests.integration.test_oauth_listener import STATE, Visitor, accept


def _non_loopback_address() -> str | None:
    """This machine's address on its default route, if it has one besides loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP: picks a route, sends nothing
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


def test_a_callback_from_another_host_cannot_even_connect() -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    with LoopbackListener("localhost", timeout=5) as listener:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, listener.port), timeout=2)
        # The same port on loopback does answer, so the refusal is the binding, not the port.
        socket.create_connection(("127.0.0.1", listener.port), timeout=2).close()


def _get(url: str, timeout: float) -> httpx.Response | Exception:
    try:
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            return client.get(url)
    except httpx.HTTPError as exc:
        return exc


def test_a_second_callback_after_the_first_changes_nothing() -> None:
    with LoopbackListener("127.0.0.1", timeout=10) as listener:
        base = f"http://127.0.0.1:{listener.port}/callback"
        visitor = Visitor(f"http://127.0.0.1:{listener.port}")
        thread = visitor.visit(f"/callback?code=first&state={STATE}")
        assert listener.wait(accept) == "first"
        thread.join(5)
        assert visitor.responses[0].status_code == 200
        # An attacker's callback, with the right state even, after the login took its code:
        # nobody judges it any more. It gets no page, and the outcome stays the first code.
        late = _get(f"{base}?code=attacker&state={STATE}", timeout=0.5)
        assert isinstance(late, httpx.TimeoutException)
    # Once the login is over the port is closed.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", listener.port), timeout=2)


def test_a_forged_callback_first_fails_the_login_and_a_later_good_one_cannot_revive_it() -> None:
    with LoopbackListener("127.0.0.1", timeout=10) as listener:
        results: list[httpx.Response | Exception] = []

        def callbacks() -> None:
            time.sleep(0.05)
            base = f"http://127.0.0.1:{listener.port}/callback"
            results.append(_get(f"{base}?code=forged&state=wrong", timeout=5))
            results.append(_get(f"{base}?code=real&state={STATE}", timeout=0.5))

        thread = threading.Thread(target=callbacks, daemon=True)
        thread.start()
        with pytest.raises(StateMismatch):
            listener.wait(accept)
        thread.join(5)
    first, second = results
    assert isinstance(first, httpx.Response)
    assert first.status_code == 400
    assert "Login failed" in first.text
    assert not isinstance(second, httpx.Response)  # nobody is listening for it any more
