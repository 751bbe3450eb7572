"""Errors of the trust area."""

from __future__ import annotations

from domain.errors import HexclawError


class TrustError(HexclawError):
    """Anything about approvals the user is told in one line."""


class TrustFileError(TrustError):
    """The approvals file cannot be read or written; it is left as it was."""
