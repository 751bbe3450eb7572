"""A conversation as a Markdown document, for ``/export``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from domain.messages.content import (
    ConversationMessage,
    JSONObject,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
)

MAX_RESULT_CHARS = 4000


def fenced(text: str, language: str = "") -> str:
    """A code fence longer than any run of backticks inside ``text``, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{language}\n{body}{fence}"


def _result_text(content: str | list[JSONObject]) -> str:
    if isinstance(content, str):
        return content
    parts = [str(item.get("text", "")) for item in content if item.get("type") == "text"]
    return "\n".join(parts) or "(non-text result)"


def _clip(text: str) -> str:
    if len(text) <= MAX_RESULT_CHARS:
        return text
    return text[:MAX_RESULT_CHARS] + f"\n… ({len(text) - MAX_RESULT_CHARS} more characters)"


def conversation_markdown(
    messages: Sequence[ConversationMessage], title: str, details: Sequence[str] = ()
) -> str:
    lines = [f"# {title}", ""]
    lines.extend(f"- {detail}" for detail in details)
    if details:
        lines.append("")
    for message in messages:
        sections: list[str] = []
        for block in message.content:
            if isinstance(block, TextBlock) and block.text.strip():
                sections.append(block.text.strip())
            elif isinstance(block, ThinkingBlock) and block.thinking.strip():
                quoted = "\n".join(f"> {line}" for line in block.thinking.strip().splitlines())
                sections.append(f"> *Thinking*\n>\n{quoted}")
            elif isinstance(block, ToolUseBlock):
                call = json.dumps(block.input, indent=2, ensure_ascii=False)
                sections.append(f"**Tool call: {block.name}**\n\n{fenced(call, 'json')}")
            elif isinstance(block, ToolResultBlock):
                label = "Tool error" if block.is_error else "Tool result"
                sections.append(f"**{label}**\n\n{fenced(_clip(_result_text(block.content)))}")
        if not sections:
            continue
        speaker = "You" if message.role == "user" else "Assistant"
        if all(isinstance(b, ToolResultBlock) for b in message.content):
            speaker = "Tools"
        lines.extend([f"## {speaker}", "", "\n\n".join(sections), ""])
    return "\n".join(lines).rstrip() + "\n"
