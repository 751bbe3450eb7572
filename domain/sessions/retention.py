"""How long saved sessions are kept: the ``cleanupPeriodDays`` setting."""

from __future__ import annotations

DEFAULT_CLEANUP_DAYS = 30
# A retention shorter than a day would delete the session of a run still going elsewhere; a
# longer one than a century is the same as "keep", and keeps the arithmetic finite.
MIN_CLEANUP_DAYS = 1.0
MAX_CLEANUP_DAYS = 36_500.0
_DAY = 86_400.0


def cleanup_days(value: object) -> tuple[float | None, str | None]:
    """The retention in days, or None when nothing is to be deleted (and why, if it is odd).

    Unset means the default, 30 days; 0 turns cleanup off, as Claude Code documents it. The
    settings loader already drops a value of the wrong type with a warning; anything else
    that reaches here deletes nothing, since guessing could throw away every conversation.
    """
    if value is None:
        return DEFAULT_CLEANUP_DAYS, None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        if value == 0:
            return None, None
        if value < MIN_CLEANUP_DAYS:
            return MIN_CLEANUP_DAYS, (
                f"cleanupPeriodDays {value!r} is under {MIN_CLEANUP_DAYS:g} day; "
                f"keeping sessions for {MIN_CLEANUP_DAYS:g} day"
            )
        return min(float(value), MAX_CLEANUP_DAYS), None
    return None, f"cleanupPeriodDays must be a number of days (got {value!r}); nothing deleted"


def is_expired(modified: float, now: float, days: float) -> bool:
    """True when a session last written at ``modified`` is older than ``days`` at ``now``."""
    return now - modified > days * _DAY
