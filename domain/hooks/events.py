"""Hook events, as Claude Code names them."""

from __future__ import annotations

from typing import Literal, get_args

HookEvent = Literal[
    "PreToolUse",
    "PermissionRequest",
    "PostToolUse",
    "UserPromptSubmit",
    "Notification",
    "Stop",
    "SubagentStop",
    "PreCompact",
    "SessionStart",
    "SessionEnd",
]
HOOK_EVENTS: tuple[HookEvent, ...] = get_args(HookEvent)

# The input field a matcher is matched against; events not named here ignore matchers.
MATCHED_FIELD: dict[HookEvent, str] = {
    "PreToolUse": "tool_name",
    "PermissionRequest": "tool_name",
    "PostToolUse": "tool_name",
    "SessionStart": "source",
    "SessionEnd": "reason",
    "PreCompact": "trigger",
    "Notification": "notification_type",
}


def parse_event(name: str) -> HookEvent | None:
    for event in HOOK_EVENTS:
        if event == name:
            return event
    return None
