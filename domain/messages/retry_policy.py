"""When and how long to wait before retrying a model call: exponential backoff, full jitter."""

from __future__ import annotations

import attrs

from domain.repr_base import Record

MAX_RETRY_AFTER_SECONDS = 60.0


@attrs.frozen(repr=False)
class RetryPolicy(Record):
    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0

    def may_retry(self, attempt: int) -> bool:
        """``attempt`` counts the failures so far, starting at 1."""
        return attempt <= self.max_retries

    def delay(
        self,
        attempt: int,
        fraction: float,
        retry_after: str | None = None,
        retry_after_ms: str | None = None,
    ) -> float:
        """Seconds to wait before retry number ``attempt``; ``fraction`` is uniform in [0, 1)."""
        server_hint = _server_delay(retry_after, retry_after_ms)
        if server_hint is not None:
            return server_hint
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling * fraction


def _server_delay(retry_after: str | None, retry_after_ms: str | None) -> float | None:
    for raw, scale in ((retry_after_ms, 1000.0), (retry_after, 1.0)):
        if raw is None:
            continue
        try:
            seconds = float(raw.strip()) / scale
        except ValueError:
            continue
        if 0 <= seconds <= MAX_RETRY_AFTER_SECONDS:
            return seconds
    return None
