"""How long saved sessions are kept: the ``cleanupPeriodDays`` setting."""

from __future__ import annotations

DEFAULT_CLEANUP_DAYS = 30
_DAY = 86_400.0


def cleanup_days(value: object) -> tuple[int | None, str | None]:
    """The retention in days from the setting, or None (and why) when nothing may be deleted.

    A value that is not a whole number of at least 1 deletes nothing: guessing what a typo
    meant could throw away every saved conversation.
    """
    if value is None:
        return DEFAULT_CLEANUP_DAYS, None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value, None
    return None, (
        f"cleanupPeriodDays must be a whole number of days, at least 1 (got {value!r}); "
        "no old sessions were deleted"
    )


def is_expired(modified: float, now: float, days: int) -> bool:
    """True when a session last written at ``modified`` is older than ``days`` at ``now``."""
    return now - modified > days * _DAY
