"""How a tool call and its outcome read on one line, wherever they are shown.

The REPL draws these with colour, the permission menu names the call it asks about, and
``-p --verbose`` writes them to stderr; all three say the same thing the same way.
"""

from __future__ import annotations

from domain.display.terminal_safety import revealed_text
from domain.tools.calls import ToolCall, ToolOutcome

# The input field that best names what a call touches, per Claude Code tool.
_LABEL_FIELDS = {
    "Bash": "command",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "Write": "file_path",
    "Read": "file_path",
    "NotebookEdit": "notebook_path",
    "Glob": "pattern",
    "Grep": "pattern",
    "LS": "path",
    "WebFetch": "url",
    "WebSearch": "query",
    "Task": "description",
    "Agent": "description",
}
MAX_LABEL = 90


def tool_label(call: ToolCall, workspace: str = "") -> str:
    """``Bash(npm test)``: the tool and the one argument a reader needs, on one line."""
    field = _LABEL_FIELDS.get(call.name)
    value = call.input.get(field) if field else None
    if not isinstance(value, str):
        value = next((v for v in call.input.values() if isinstance(v, str)), "")
    if workspace and value.startswith(workspace.rstrip("/") + "/"):
        value = value[len(workspace.rstrip("/")) + 1 :]
    first, *more = value.strip().splitlines() or [""]
    # Hidden characters are named, so a label cannot pass for another command.
    first = revealed_text(first)
    if more:
        first += " …"
    if len(first) > MAX_LABEL:
        first = first[: MAX_LABEL - 1] + "…"
    return f"{call.name}({first})" if first else call.name


def outcome_summary(outcome: ToolOutcome) -> str:
    """What came of a call, in a few words: the tool's own summary, else the output's size."""
    if outcome.summary:
        return outcome.summary
    text = outcome.content if isinstance(outcome.content, str) else ""
    lines = text.strip().splitlines()
    if outcome.is_error:
        return lines[0][:MAX_LABEL] if lines else "failed"
    if not lines:
        return "done (no output)"
    return f"{len(lines)} line{'s' if len(lines) != 1 else ''} of output"
