"""PKCE (RFC 7636): the code verifier and its S256 challenge.

Only S256 exists here: ``plain`` would hand the verifier to anyone who sees the authorize URL.
"""

from __future__ import annotations

import base64
import hashlib

import attrs

from domain.ports import RandomSource

VERIFIER_BYTES = 32  # 32 random bytes -> 43 base64url characters, the RFC's minimum length
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def is_valid_verifier(verifier: str) -> bool:
    return 43 <= len(verifier) <= 128 and all(c in _UNRESERVED for c in verifier)


def s256_challenge(verifier: str) -> str:
    if not is_valid_verifier(verifier):
        raise ValueError("a PKCE verifier is 43 to 128 unreserved characters")
    return base64url(hashlib.sha256(verifier.encode("ascii")).digest())


@attrs.frozen(repr=False)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"

    def __repr__(self) -> str:
        # The verifier is the secret half of the exchange: keep it out of any repr or log.
        return f"Pkce(challenge={self.challenge!r}, method={self.method!r})"


def new_pkce(random: RandomSource, size: int = VERIFIER_BYTES) -> Pkce:
    if not 32 <= size <= 96:
        raise ValueError("a PKCE verifier needs 32 to 96 random bytes")
    verifier = base64url(random.token_bytes(size))
    return Pkce(verifier=verifier, challenge=s256_challenge(verifier))
