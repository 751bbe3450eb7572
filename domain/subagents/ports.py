"""What the terminal and the output formats show of a running subagent.

A parent observer that implements ``SubagentView`` (the REPL's renderer, ``-p``'s output)
gets these calls; ``parent_id`` is the id of the Agent call the subagent answers. They may
come from worker threads (several subagents run at once): an implementation must be
thread-safe.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from domain.messages.content import ConversationMessage, Message
from domain.tools.calls import ToolCall, ToolOutcome


@runtime_checkable
class SubagentView(Protocol):
    def subagent_started(self, parent_id: str, agent_type: str, description: str) -> None: ...

    def subagent_message(self, parent_id: str, message: Message) -> None:
        """An assistant message of the subagent, as it finished."""
        ...

    def subagent_results(
        self, parent_id: str, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None:
        """The tool results the subagent sends back to its model."""
        ...

    def subagent_tool(self, parent_id: str, call: ToolCall, outcome: ToolOutcome | None) -> None:
        """A subagent's call started (``outcome`` None) or ended."""
        ...

    def subagent_question(self, asking: bool) -> None:
        """A subagent's permission question goes on screen (True) or is answered (False)."""
        ...

    def subagent_finished(self, parent_id: str, outcome: ToolOutcome) -> None: ...
