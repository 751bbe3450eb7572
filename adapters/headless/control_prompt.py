"""The ``PermissionPrompt`` of ``--permission-prompt-tool stdio``: a call that needs
permission is put to the client program as a ``can_use_tool`` control request, and the turn
waits for its ``control_response``."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from adapters.headless.stdio_channel import StdioChannel
from domain.headless.control import can_use_tool_request, verdict_from_response
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall


class ControlPrompt:
    def __init__(self, channel: StdioChannel, on_interrupt: Callable[[], None]) -> None:
        self._channel = channel
        self._on_interrupt = on_interrupt
        self._numbers = itertools.count(1)

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        request_id = f"hexclaw_perm_{next(self._numbers)}"
        self._channel.expect(request_id)
        self._channel.emit(can_use_tool_request(request_id, call, access, decision))
        response = self._channel.wait_response(request_id)
        if response is None:
            return PermissionAnswer("deny", "stdin closed before the client answered")
        verdict = verdict_from_response(response)
        if verdict.interrupt:
            # The client's deny-and-stop: the turn ends as an interrupted one.
            self._on_interrupt()
            raise KeyboardInterrupt
        return verdict.answer
