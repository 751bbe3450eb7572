"""The tools, as the loop sees them: definitions to offer, what a call touches, running it."""

from __future__ import annotations

from typing import Protocol

from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome


class ToolRunner(Protocol):
    def definitions(self) -> list[JSONObject]:
        """The tool definitions sent to the API (name, description, input_schema)."""
        ...

    def access_of(self, call: ToolCall) -> ToolAccess:
        """What the call would touch, for the permission decision."""
        ...

    def run(self, call: ToolCall) -> ToolOutcome:
        """Run the call; failures are outcomes with ``is_error``, never exceptions."""
        ...
