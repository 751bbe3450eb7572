"""The ports every area may need: the clock and randomness, which the domain never reads itself.

Each area keeps its own ports beside it (``domain/<area>/ports.py``).
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time in epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for measuring durations."""
        ...


class RandomSource(Protocol):
    def token_bytes(self, count: int) -> bytes:
        """Cryptographically strong random bytes."""
        ...

    def fraction(self) -> float:
        """A uniform float in [0, 1), for jitter."""
        ...
