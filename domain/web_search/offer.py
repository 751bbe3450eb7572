"""When to offer ``web_search``, and the request that offers it."""

from __future__ import annotations

import attrs

from domain.messages.content import JSONObject, Message
from domain.messages.request import MessageRequest
from domain.permissions.ports import PermissionDecider
from domain.stream.ports import ModelClient, UpdateSink
from domain.tools.calls import ToolAccess

PERMISSION_NAME = "WebSearch"
SERVER_NAME = "web_search"
TOOL_TYPE = "web_search_20250305"
MAX_USES = 8


def web_search_definition(max_uses: int = MAX_USES) -> JSONObject:
    return {"type": TOOL_TYPE, "name": SERVER_NAME, "max_uses": max_uses}


def web_search_access() -> ToolAccess:
    """What a search touches, for the policy: the network, under Claude Code's tool name."""
    return ToolAccess(PERMISSION_NAME, "network")


def web_search_allowed(permissions: PermissionDecider) -> bool:
    return permissions.decide(web_search_access()).verdict == "allow"


class WebSearchClient:
    """Implements ``ModelClient``: adds the server tool to each request while the rules allow
    it, judged anew for every request (``/permissions`` can change them mid-session)."""

    def __init__(self, inner: ModelClient, permissions: PermissionDecider) -> None:
        self.inner = inner
        self.permissions = permissions

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        if web_search_allowed(self.permissions) and not any(
            tool.get("name") == SERVER_NAME for tool in request.tools
        ):
            request = attrs.evolve(request, tools=[*request.tools, web_search_definition()])
        return self.inner.stream_message(request, on_update)
