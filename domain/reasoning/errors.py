"""What can go wrong choosing how the model thinks."""

from __future__ import annotations

from domain.errors import HexclawError


class ReasoningError(HexclawError):
    """An effort level or thinking budget that cannot be used; the message says why."""
