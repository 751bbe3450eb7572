"""Typed access to a call's JSON input, with errors that name the offending parameter."""

from __future__ import annotations

from adapters.tools.support.tool_errors import ToolInputError
from domain.messages.content import JSONObject


class ToolInput:
    def __init__(self, tool: str, raw: JSONObject) -> None:
        self.tool = tool
        self.raw = raw

    def _fail(self, key: str, expected: str) -> ToolInputError:
        got = type(self.raw.get(key)).__name__
        return ToolInputError(f"{self.tool}: `{key}` must be {expected} (got {got})")

    def string(self, key: str, allow_empty: bool = False) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        if not allow_empty and not value:
            raise ToolInputError(f"{self.tool}: `{key}` must not be empty")
        return value

    def optional_string(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value or None

    def optional_bool(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def optional_number(self, key: str, minimum: float = 0) -> float | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "a number")
        if value < minimum:
            raise ToolInputError(f"{self.tool}: `{key}` must be at least {minimum:g}")
        return float(value)

    def optional_int(self, key: str, minimum: int = 0) -> int | None:
        value = self.optional_number(key, minimum)
        if value is None:
            return None
        if value != int(value):
            raise self._fail(key, "a whole number")
        return int(value)

    def object_list(self, key: str) -> list[JSONObject]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._fail(key, "a list of objects")
        return value

    def string_list(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return value
