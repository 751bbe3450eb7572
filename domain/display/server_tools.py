"""One line for a server tool's call or result (a web search the API ran mid-answer)."""

from __future__ import annotations

from domain.display.terminal_safety import printable
from domain.messages.content import ServerToolUseBlock, UnknownBlock

_SHOWN_TITLES = 3
_MAX_QUERY = 80


def server_tool_line(block: ServerToolUseBlock | UnknownBlock) -> tuple[str, bool] | None:
    """``(text, True)`` for a call, ``(text, False)`` for a result, None for a block that is
    neither (a server tool this does not know is still named, by its block type)."""
    if isinstance(block, ServerToolUseBlock):
        if block.name == "web_search":
            query = str(block.input.get("query", ""))
            if len(query) > _MAX_QUERY:
                query = query[:_MAX_QUERY] + "…"
            return printable(f'WebSearch("{query}")'), True
        return printable(f"{block.name} (run by the API)"), True
    kind = block.type
    if not kind.endswith("_tool_result"):
        return None
    content = block.raw.get("content")
    if kind == "web_search_tool_result":
        if isinstance(content, dict):
            code = content.get("error_code", "unknown error")
            return printable(f"Search failed: {code}"), False
        if isinstance(content, list):
            titles = [
                str(item.get("title") or item.get("url") or "")
                for item in content
                if isinstance(item, dict)
            ]
            shown = "; ".join(t for t in titles[:_SHOWN_TITLES] if t)
            more = f" (+{len(titles) - _SHOWN_TITLES} more)" if len(titles) > _SHOWN_TITLES else ""
            count = f"{len(titles)} result{'s' if len(titles) != 1 else ''}"
            return printable(f"{count}: {shown}{more}" if shown else count), False
    return printable(f"{kind.removesuffix('_tool_result')} result (kept as the API sent it)"), False
