"""The real source of randomness: the OS's CSPRNG."""

import secrets


class SystemRandom:
    def token_bytes(self, count: int) -> bytes:
        return secrets.token_bytes(count)

    def fraction(self) -> float:
        return secrets.randbits(53) / (1 << 53)
