"""Authentication headers that never change: an API key or a bearer token from the environment."""

from __future__ import annotations


class StaticAuthHeaders:
    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = dict(headers)

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def refresh_after_unauthorized(self) -> bool:
        return False
