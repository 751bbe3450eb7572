"""Showing a secret without revealing it: at most its first 4 and last 4 characters."""

from __future__ import annotations

_SHOWN = 4
_MIN_LENGTH_TO_SHOW = 20  # below this, 8 visible characters would be too much of the secret


def mask_secret(secret: str) -> str:
    length = f"{len(secret)} character{'' if len(secret) == 1 else 's'}"
    if len(secret) < _MIN_LENGTH_TO_SHOW:
        return f"**** ({length})"
    return f"{secret[:_SHOWN]}…{secret[-_SHOWN:]} ({length})"
