"""The loopback callback listener against real sockets and a real HTTP client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from adapters.auth.loopback_listener import LoopbackListener
from domain.auth.errors import (
    AuthorizationDenied,
    CallbackListenError,
    CallbackTimeout,
    StateMismatch,
)
from domain.auth.oauth_flow import parse_callback

STATE = "expected-state"


def accept(query: str) -> str:
    return parse_callback(query, STATE)


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class Visitor:
    """Requests made from another thread while the listener waits, with their answers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.responses: list[httpx.Response] = []

    def visit(self, *paths: str, delay: float = 0.05) -> threading.Thread:
        def run() -> None:
            time.sleep(delay)
            with httpx.Client(trust_env=False, timeout=5) as client:
                for path in paths:
                    self.responses.append(client.get(self.base + path))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


def _wait(
    listener: LoopbackListener, visit: Callable[[Visitor], threading.Thread]
) -> tuple[str | Exception, Visitor]:
    visitor = Visitor(f"http://127.0.0.1:{listener.port}")
    thread = visit(visitor)
    try:
        outcome: str | Exception = listener.wait(accept)
    except Exception as exc:
        outcome = exc
    thread.join(5)
    return outcome, visitor


def test_a_valid_callback_gives_the_code_and_a_success_page() -> None:
    with LoopbackListener("127.0.0.1", timeout=10) as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/callback"
        outcome, visitor = _wait(
            listener, lambda v: v.visit(f"/callback?code=the-code&state={STATE}")
        )
    assert outcome == "the-code"
    [page] = visitor.responses
    assert page.status_code == 200
    assert "Logged in" in page.text
    assert "the-code" not in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_favicon_gets_404_and_the_wait_goes_on() -> None:
    with LoopbackListener("127.0.0.1", timeout=10) as listener:
        outcome, visitor = _wait(
            listener,
            lambda v: v.visit("/favicon.ico", "/other", f"/callback?code=c2&state={STATE}"),
        )
    assert outcome == "c2"
    assert [r.status_code for r in visitor.responses] == [404, 404, 200]


def test_state_mismatch_fails_with_a_failure_page() -> None:
    with LoopbackListener("127.0.0.1", timeout=10) as listener:
        outcome, visitor = _wait(listener, lambda v: v.visit("/callback?code=c&state=forged"))
    assert isinstance(outcome, StateMismatch)
    assert visitor.responses[0].status_code == 400
    assert "Login failed" in visitor.responses[0].text


def test_access_denied_fails_with_the_servers_reason() -> None:
    with LoopbackListener("127.0.0.1", timeout=10) as listener:
        outcome, visitor = _wait(
            listener,
            lambda v: v.visit(
                f"/callback?error=access_denied&error_description=no+thanks&state={STATE}"
            ),
        )
    assert isinstance(outcome, AuthorizationDenied)
    assert "access_denied" in str(outcome)
    assert "no thanks" in visitor.responses[0].text


def test_no_callback_before_the_timeout() -> None:
    with LoopbackListener("127.0.0.1", timeout=0.3) as listener:
        started = time.monotonic()
        with pytest.raises(CallbackTimeout, match=r"within 0\.3 s"):
            listener.wait(accept)
        assert time.monotonic() - started < 3


def test_a_silent_client_does_not_stall_the_login() -> None:
    with LoopbackListener("127.0.0.1", timeout=15) as listener:
        silent = socket.create_connection(("127.0.0.1", listener.port))
        try:
            started = time.monotonic()
            outcome, _ = _wait(
                listener, lambda v: v.visit(f"/callback?code=c3&state={STATE}", delay=0.2)
            )
        finally:
            silent.close()
    assert outcome == "c3"
    assert time.monotonic() - started < 12


def test_binds_loopback_only_on_an_ephemeral_port() -> None:
    with LoopbackListener("localhost") as listener:
        hosts = {host for host, _ in listener.addresses}
        assert hosts <= {"127.0.0.1", "::1"}
        assert "127.0.0.1" in hosts
        if _has_ipv6_loopback():
            assert "::1" in hosts
        assert {port for _, port in listener.addresses} == {listener.port}
        assert listener.port > 0
        assert listener.redirect_uri == f"http://localhost:{listener.port}/callback"


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_localhost_callbacks_arrive_over_ipv6_too() -> None:
    with LoopbackListener("localhost", timeout=10) as listener:
        visitor = Visitor(f"http://[::1]:{listener.port}")
        thread = visitor.visit(f"/callback?code=v6&state={STATE}")
        assert listener.wait(accept) == "v6"
        thread.join(5)


def test_a_configured_port_that_is_taken_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CallbackListenError, match=rf"port {port}.*--port"):
            LoopbackListener("127.0.0.1", port)


def test_a_configured_free_port_is_used() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with LoopbackListener("127.0.0.1", port) as listener:
        assert listener.port == port
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/callback"
