"""Backoff with full jitter, and the server's retry-after hints."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.messages.api_errors import ApiStatusError
from domain.messages.retry_policy import MAX_RETRY_AFTER_SECONDS, RetryPolicy


def test_max_retries_counts_failures_after_the_first_attempt() -> None:
    policy = RetryPolicy(max_retries=2)
    assert [policy.may_retry(n) for n in (1, 2, 3)] == [True, True, False]
    assert not RetryPolicy(max_retries=0).may_retry(1)


def test_backoff_ceiling_doubles_up_to_the_maximum() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    ceilings = [policy.delay(attempt, fraction=0.999999) for attempt in (1, 2, 3, 4, 5)]
    assert ceilings == pytest.approx([0.5, 1.0, 2.0, 3.0, 3.0], rel=1e-5)


@given(st.integers(min_value=1, max_value=60), st.floats(min_value=0.0, max_value=0.999999))
def test_full_jitter_stays_between_zero_and_the_ceiling(attempt: int, fraction: float) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    delay = policy.delay(attempt, fraction)
    assert 0.0 <= delay <= min(8.0, 0.5 * 2 ** (attempt - 1))
    assert delay == pytest.approx(min(8.0, 0.5 * 2 ** (attempt - 1)) * fraction)


def test_retry_after_seconds_replaces_the_backoff() -> None:
    assert RetryPolicy().delay(1, 0.5, retry_after="7") == 7.0


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert RetryPolicy().delay(1, 0.5, retry_after="7", retry_after_ms="250") == 0.25


@pytest.mark.parametrize(
    "hint",
    [
        "soon",
        "",
        "-1",
        "nan",
        "inf",
        str(MAX_RETRY_AFTER_SECONDS + 1),
        "Wed, 21 Oct 2015 07:28:00 GMT",
    ],
)
def test_unusable_retry_after_falls_back_to_backoff(hint: str) -> None:
    policy = RetryPolicy(base_delay=1.0)
    assert policy.delay(1, 0.5, retry_after=hint) == 0.5


def test_unusable_retry_after_ms_falls_back_to_retry_after() -> None:
    assert RetryPolicy().delay(1, 0.5, retry_after="3", retry_after_ms="x") == 3.0


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (529, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (413, False),
    ],
)
def test_retryable_statuses(status: int, retryable: bool) -> None:
    assert ApiStatusError(status, "x", "y").retryable is retryable


def test_status_error_message_names_status_type_request_id_and_fix() -> None:
    error = ApiStatusError(401, "authentication_error", "invalid x-api-key", "req_1")
    text = str(error)
    assert "401 authentication_error: invalid x-api-key" in text
    assert "req_1" in text
    assert "ANTHROPIC_API_KEY" in text
    assert "hexclaw login" in text
