"""Dates without ``datetime`` in the domain, checked against ``datetime`` here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.calendar_date import civil_from_days, iso_date


@given(st.integers(min_value=-719_162, max_value=2_900_000))
def test_civil_from_days_matches_the_standard_library(days: int) -> None:
    expected = datetime(1970, 1, 1) + timedelta(days=days)
    assert civil_from_days(days) == (expected.year, expected.month, expected.day)


@given(
    st.integers(min_value=-2_000_000_000, max_value=4_000_000_000),
    st.integers(min_value=-14 * 3600, max_value=14 * 3600),
)
def test_iso_date_is_the_local_date(epoch: int, offset: int) -> None:
    local = datetime.fromtimestamp(epoch, UTC) + timedelta(seconds=offset)
    assert iso_date(epoch, offset) == local.strftime("%Y-%m-%d")


def test_known_dates() -> None:
    assert iso_date(0) == "1970-01-01"
    assert iso_date(951_782_400) == "2000-02-29"
    assert iso_date(1_773_531_000, -3600) == "2026-03-14"
