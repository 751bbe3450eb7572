"""A scripted model for subagent tests: routes each request to the conversation it belongs to
(the parent, or the subagent whose first message is a given prompt) and answers with that
conversation's next reply."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_server import RecordedRequest, Reply

SUBAGENT_MARK = "You are a subagent of hexclaw"
PARENT = "parent"


def system_text(request: RecordedRequest) -> str:
    system = request.body.get("system") or []
    if isinstance(system, str):
        return system
    return "\n".join(block.get("text", "") for block in system)


def first_text(request: RecordedRequest) -> str:
    content = request.body["messages"][0]["content"]
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if block.get("type") == "text")


def conversation_of(request: RecordedRequest) -> str:
    return first_text(request) if SUBAGENT_MARK in system_text(request) else PARENT


class Router:
    """``routes[conversation][n]`` answers that conversation's request with n assistant
    messages before it; ``gate(conversation)`` runs first (to hold a reply, or meet)."""

    def __init__(
        self,
        routes: dict[str, list[Reply]],
        gate: Callable[[str], None] | None = None,
    ) -> None:
        self.routes = routes
        self.gate = gate
        self.seen: dict[str, list[RecordedRequest]] = {}
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        key = conversation_of(request)
        with self._lock:
            self.seen.setdefault(key, []).append(request)
        if self.gate is not None:
            self.gate(key)
        turn = sum(1 for m in request.body["messages"] if m["role"] == "assistant")
        replies = self.routes.get(key)
        if replies is None or turn >= len(replies):
            return Reply.error(500, "api_error", f"no reply for {key!r} at {turn}")
        return replies[turn]


def tool_names(request: RecordedRequest) -> list[str]:
    return [tool["name"] for tool in request.body.get("tools", [])]


def session_logs(config_home: Path) -> list[Path]:
    return sorted((config_home / "projects").glob("*/*.jsonl"))


def log_entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def results_in(request: RecordedRequest) -> list[dict[str, Any]]:
    last = request.body["messages"][-1]
    return [b for b in last["content"] if isinstance(b, dict) and b.get("type") == "tool_result"]
