"""The saved-sessions table, one layout for ``hexclaw sessions`` and the REPL's ``/sessions``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.files.session_store import ListedSession

ID_WIDTH = 36
STARTED_WIDTH = 16
COUNT_WIDTH = 8
MIN_PROMPT_WIDTH = 20
# Two columns of mark, then three gaps of two spaces between the four columns.
FIXED_WIDTH = 2 + ID_WIDTH + 2 + STARTED_WIDTH + 2 + COUNT_WIDTH + 2


def session_table(
    listed: Sequence[ListedSession], width: int, current: str | None = None
) -> list[str]:
    """A header and one line per session; ``current`` is marked with a dot. Prompts are cut
    to fit ``width`` and folded to one line."""
    prompt_width = max(MIN_PROMPT_WIDTH, width - FIXED_WIDTH)
    lines = [
        f"  {'ID':<{ID_WIDTH}}  {'STARTED':<{STARTED_WIDTH}}  {'MESSAGES':>{COUNT_WIDTH}}  "
        "FIRST PROMPT"
    ]
    for session in listed:
        mark = "●" if session.session_id == current else " "
        lines.append(f"{mark} {_row(session, prompt_width)}")
    return lines


def _row(session: ListedSession, prompt_width: int) -> str:
    summary = session.summary
    if summary is None:
        started, count = "?", "?"
        prompt = f"({session.problem}: upgrade hexclaw to resume)"
    else:
        started, count = _local_minute(summary.started_at), str(summary.message_count)
        prompt = " ".join(summary.first_prompt.split()) or "(no prompt)"
    if len(prompt) > prompt_width:
        prompt = prompt[: prompt_width - 1] + "…"
    return (
        f"{session.session_id:<{ID_WIDTH}}  {started:<{STARTED_WIDTH}}  "
        f"{count:>{COUNT_WIDTH}}  {prompt}"
    )


def _local_minute(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16] or "?"
