"""Errors from calling the Messages API over HTTP."""

from __future__ import annotations

from domain.errors import HexclawError

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
# The fix to suggest when the status alone says what is wrong.
_HINTS = {
    401: "check ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN, or run `hexclaw login`",
    403: "these credentials may not use this model or endpoint",
    404: "check the model name (--model, ANTHROPIC_MODEL) and ANTHROPIC_BASE_URL",
}


class ApiError(HexclawError):
    """A model call failed before a complete message arrived."""


class ApiStatusError(ApiError):
    """The API answered with an HTTP error status."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        request_id: str | None = None,
        retry_after: str | None = None,
        retry_after_ms: str | None = None,
    ) -> None:
        detail = f"API error {status} {error_type}: {message}"
        if request_id:
            detail += f" (request-id {request_id})"
        hint = _HINTS.get(status)
        if hint:
            detail += f"; {hint}"
        super().__init__(detail)
        self.status = status
        self.error_type = error_type
        self.error_message = message
        self.request_id = request_id
        self.retry_after = retry_after
        self.retry_after_ms = retry_after_ms

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE_STATUSES


class ApiConnectionError(ApiError):
    """The API could not be reached (refused, DNS, TLS)."""


class ApiTimeoutError(ApiError):
    """The API did not answer within the configured timeout."""
