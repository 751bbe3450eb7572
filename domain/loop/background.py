"""Work a tool call started and left running (an Agent call with ``run_in_background``), and
how its report reaches the model: as a notification text block in a later user message, as
Claude Code delivers it.

The loop delivers the reports that have come in before each model call, and does not end a
turn while background work is still running: it waits (the main thread meanwhile asks the
permission questions that work sends it) and goes on with the reports. Ctrl-C stops it all.
"""

from __future__ import annotations

from typing import Protocol

import attrs

from domain.messages.content import Usage
from domain.repr_base import Record


@attrs.frozen(repr=False)
class BackgroundReport(Record):
    tool_use_id: str
    """The id of the call that started the work."""
    description: str
    text: str
    is_error: bool = False
    usages: tuple[tuple[str, Usage], ...] = ()
    """What the work spent, per model, for the turn's usage and cost."""


class BackgroundWork(Protocol):
    def take(self) -> list[BackgroundReport]:
        """The reports that have come in since the last call (never waits)."""
        ...

    def wait(self) -> list[BackgroundReport]:
        """Waits until a report comes in (at once if one has) or nothing runs any more; []
        when nothing runs and nothing is left to report."""
        ...

    def stop_all(self) -> None:
        """Ctrl-C: stop every piece of work and forget what it would have reported."""
        ...


def notification_text(report: BackgroundReport) -> str:
    status = "failed" if report.is_error else "completed"
    return (
        "<task-notification>\n"
        f"<task-id>{report.tool_use_id}</task-id>\n"
        f"<status>{status}</status>\n"
        f'<summary>Background agent "{report.description}" {status}</summary>\n'
        f"<result>{report.text}</result>\n"
        "</task-notification>"
    )
