"""PKCE (RFC 7636) and the state parameter."""

from __future__ import annotations

import hashlib
import inspect
import re

import pytest

from domain.auth import oauth_flow
from domain.auth.oauth_flow import new_state, states_match
from domain.auth.pkce import base64url, is_valid_verifier, new_pkce, s256_challenge

RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
UNRESERVED = re.compile(r"^[A-Za-z0-9\-._~]+$")


class CountingRandom:
    """Deterministic bytes, recording how many were asked for."""

    def __init__(self, fill: int = 0xAB) -> None:
        self.fill = fill
        self.requested: list[int] = []

    def token_bytes(self, count: int) -> bytes:
        self.requested.append(count)
        return bytes((self.fill + i) % 256 for i in range(count))

    def fraction(self) -> float:
        return 0.5


def test_rfc7636_appendix_b_vector() -> None:
    assert s256_challenge(RFC_VERIFIER) == RFC_CHALLENGE


def test_new_pkce_uses_32_random_bytes_and_the_unreserved_alphabet() -> None:
    random = CountingRandom()
    pkce = new_pkce(random)
    assert random.requested == [32]
    assert len(pkce.verifier) == 43
    assert UNRESERVED.match(pkce.verifier)
    assert pkce.method == "S256"
    expected = base64url(hashlib.sha256(pkce.verifier.encode()).digest())
    assert pkce.challenge == expected
    assert "=" not in pkce.challenge


def test_larger_verifiers_stay_within_128_characters() -> None:
    pkce = new_pkce(CountingRandom(), size=96)
    assert len(pkce.verifier) == 128
    assert is_valid_verifier(pkce.verifier)
    with pytest.raises(ValueError, match="32 to 96"):
        new_pkce(CountingRandom(), size=31)
    with pytest.raises(ValueError, match="32 to 96"):
        new_pkce(CountingRandom(), size=97)


@pytest.mark.parametrize(
    "verifier",
    ["a" * 42, "a" * 129, "a" * 42 + " ", "a" * 42 + "+", "a" * 42 + "/", "é" * 43],
)
def test_invalid_verifiers_are_refused(verifier: str) -> None:
    assert not is_valid_verifier(verifier)
    with pytest.raises(ValueError, match="43 to 128"):
        s256_challenge(verifier)


def test_the_verifier_stays_out_of_repr() -> None:
    pkce = new_pkce(CountingRandom())
    assert pkce.verifier not in repr(pkce)
    assert pkce.challenge in repr(pkce)


def test_different_random_bytes_give_different_verifiers() -> None:
    assert new_pkce(CountingRandom(1)).verifier != new_pkce(CountingRandom(2)).verifier


def test_state_has_at_least_128_random_bits() -> None:
    random = CountingRandom()
    state = new_state(random)
    assert random.requested[0] * 8 >= 128
    assert UNRESERVED.match(state)
    assert len(state) >= 22


def test_states_compare_exactly_and_in_constant_time() -> None:
    assert states_match("abc", "abc")
    assert not states_match("abc", "abd")
    assert not states_match("abc", "abcd")
    assert not states_match("abc", "")
    assert "compare_digest" in inspect.getsource(oauth_flow.states_match)
