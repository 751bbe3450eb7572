"""The expiry margin, walked across its boundary with a frozen clock (freezegun + SystemClock)."""

from __future__ import annotations

import datetime as dt

from freezegun import freeze_time

from adapters.system.clock import SystemClock
from domain.auth.token_policy import TokenPolicy

START = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
EXPIRES_AT = START.timestamp() + 600  # the token dies ten minutes after START


def test_default_margin_is_60_seconds_and_the_boundary_is_inclusive() -> None:
    policy = TokenPolicy()
    clock = SystemClock()
    with freeze_time(START) as frozen:
        assert not policy.is_expired(EXPIRES_AT, clock.now())
        frozen.tick(dt.timedelta(seconds=539))  # 61 s left
        assert not policy.is_expired(EXPIRES_AT, clock.now())
        frozen.tick(dt.timedelta(seconds=0.5))  # 60.5 s left
        assert not policy.is_expired(EXPIRES_AT, clock.now())
        frozen.tick(dt.timedelta(seconds=0.5))  # exactly 60 s left: counts as expired
        assert policy.is_expired(EXPIRES_AT, clock.now())
        frozen.tick(dt.timedelta(seconds=120))  # really expired
        assert policy.is_expired(EXPIRES_AT, clock.now())


def test_a_configured_margin_moves_the_boundary() -> None:
    clock = SystemClock()
    with freeze_time(START) as frozen:
        frozen.tick(dt.timedelta(seconds=400))  # 200 s left
        assert TokenPolicy(margin=300).is_expired(EXPIRES_AT, clock.now())
        assert not TokenPolicy(margin=60).is_expired(EXPIRES_AT, clock.now())
        frozen.tick(dt.timedelta(seconds=199))  # 1 s left
        assert not TokenPolicy(margin=0).is_expired(EXPIRES_AT, clock.now())
        frozen.tick(dt.timedelta(seconds=1))
        assert TokenPolicy(margin=0).is_expired(EXPIRES_AT, clock.now())


def test_a_token_without_a_known_lifetime_never_counts_as_expired() -> None:
    with freeze_time(START):
        assert not TokenPolicy().is_expired(None, SystemClock().now())
