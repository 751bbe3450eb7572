"""When a token counts as expired: a margin before its real expiry, so a request never
leaves with a token that dies on the way (the margin defaults to 60 s)."""

from __future__ import annotations

import attrs

from domain.auth.oauth_config import DEFAULT_EXPIRY_MARGIN
from domain.repr_base import Record


@attrs.frozen(repr=False)
class TokenPolicy(Record):
    margin: float = DEFAULT_EXPIRY_MARGIN

    def is_expired(self, expires_at: float | None, now: float) -> bool:
        """``expires_at`` None means the server gave no lifetime: the token is used until a 401."""
        return expires_at is not None and now >= expires_at - self.margin
