"""Answers the client's control requests in a stream-json session (on the reader thread).

``interrupt`` ends the running turn (a no-op between turns), ``set_permission_mode`` and
``set_model`` change the session from the next decision or call on, ``initialize`` and
``mcp_status`` answer what Claude Code's SDK asks when it connects; anything else is answered
with an error response, and the session goes on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from adapters.headless.turn_interrupt import TurnInterrupter
from domain.errors import HexclawError
from domain.headless.control import HANDLED_SUBTYPES, control_error, control_success
from domain.headless.input_lines import ControlRequest
from domain.loop.agent_loop import AgentLoop
from domain.messages.content import JSONObject
from domain.permissions.policy import BYPASS_WARNING, PermissionPolicy


class ControlHandler:
    def __init__(
        self,
        loop: AgentLoop,
        policy: PermissionPolicy,
        interrupter: TurnInterrupter,
        warn: Callable[[str], None] | None = None,
        mcp_servers: Callable[[], list[dict[str, str]]] = list,
    ) -> None:
        self._mcp_servers = mcp_servers
        self._loop = loop
        self._policy = policy
        self._interrupter = interrupter
        self._warn = warn or _stderr

    def handle(self, request: ControlRequest) -> JSONObject:
        try:
            return control_success(request.request_id, self._answer(request))
        except HexclawError as exc:
            return control_error(request.request_id, str(exc))

    def _answer(self, request: ControlRequest) -> JSONObject:
        body = request.request
        if request.subtype == "interrupt":
            self._interrupter.request()
            return {}
        if request.subtype == "set_permission_mode":
            mode = self._policy.set_mode(str(body.get("mode")))
            if mode == "bypassPermissions":
                self._warn(BYPASS_WARNING)
            return {"mode": mode}
        if request.subtype == "set_model":
            model = body.get("model")
            if isinstance(model, str) and model:
                self._loop.settings.model = model
            return {"model": self._loop.settings.model}
        if request.subtype == "initialize":
            if body.get("hooks"):
                self._warn("hooks sent with initialize are not run by hexclaw (ignored)")
            return {
                "commands": [],
                "output_style": "default",
                "available_output_styles": ["default"],
                "models": [],
            }
        if request.subtype == "mcp_status":
            return {"mcpServers": list(self._mcp_servers())}
        raise UnsupportedControlRequest(request.subtype)


class UnsupportedControlRequest(HexclawError):
    def __init__(self, subtype: str) -> None:
        super().__init__(
            f"unsupported control request subtype: {subtype} "
            f"(hexclaw handles {', '.join(HANDLED_SUBTYPES)})"
        )


def _stderr(text: str) -> None:
    sys.stderr.write(f"hexclaw: warning: {text}\n")
    sys.stderr.flush()
