"""Calendar dates from epoch seconds, without ``datetime`` (the domain reads no clock).

The day arithmetic is Howard Hinnant's ``civil_from_days``, exact for the proleptic
Gregorian calendar; the caller supplies the local UTC offset it got from an adapter.
"""

from __future__ import annotations

SECONDS_PER_DAY = 86_400


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of the date ``days`` after 1970-01-01."""
    shifted = days + 719_468
    era = shifted // 146_097
    day_of_era = shifted - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1_460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = month_index + 3 if month_index < 10 else month_index - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def iso_date(epoch_seconds: float, utc_offset_seconds: int = 0) -> str:
    """The local date as YYYY-MM-DD."""
    days = int((epoch_seconds + utc_offset_seconds) // SECONDS_PER_DAY)
    year, month, day = civil_from_days(days)
    return f"{year:04d}-{month:02d}-{day:02d}"
