"""The hooks' ports: what the agent loop calls, and what runs hook processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import attrs

from domain.hooks.config import HookCommand
from domain.hooks.outcome import HookRun
from domain.messages.content import ContentBlock
from domain.repr_base import Record
from domain.tools.calls import Decision, PermissionAnswer, ToolCall, ToolOutcome


class HookProcesses(Protocol):
    def run_all(self, commands: Sequence[HookCommand], payload: dict[str, Any]) -> list[HookRun]:
        """Runs the commands in parallel, each with ``payload`` as JSON on stdin, each within
        its timeout; returns one run per command, in the commands' order."""
        ...

    def in_folder(self, cwd: str) -> HookProcesses:
        """The same runner, running its commands from ``cwd`` (a worktree subagent's hooks
        run in its worktree; ``CLAUDE_PROJECT_DIR`` still names the project)."""
        ...


class HookReporter(Protocol):
    def hook_ran(self, run: HookRun) -> None:
        """A run finished (for ``--verbose``: event, command, exit code, time)."""
        ...

    def hook_message(self, text: str) -> None:
        """A line for the user: a ``systemMessage``, a non-blocking error, a stop reason."""
        ...

    def hook_output(self, text: str) -> None:
        """A successful hook's stdout, which Claude Code shows in verbose mode only."""
        ...


@attrs.frozen(repr=False)
class PromptGate(Record):
    """UserPromptSubmit's answer: the content to send (context added), or why it is not sent."""

    content: tuple[ContentBlock, ...]
    blocked: bool = False
    reason: str = ""


@attrs.frozen(repr=False)
class ToolGate(Record):
    """PreToolUse's answer: the decision to act on (the policy's, changed only as allowed),
    the call to run (input maybe rewritten), or the error text the model gets instead."""

    decision: Decision
    call: ToolCall
    blocked_content: str | None = None
    stop_reason: str | None = None


class LoopHooks(Protocol):
    """The points at which the agent loop lets hooks act; nothing else of the loop changes."""

    def on_prompt(self, content: Sequence[ContentBlock]) -> PromptGate: ...

    def before_tool(self, call: ToolCall, decide: Callable[[ToolCall], Decision]) -> ToolGate:
        """The decision for a call: ``decide`` (the permission policy) first, so a deny rule
        denies before any hook runs, then the PreToolUse hooks."""
        ...

    def on_permission_request(self, call: ToolCall, decision: Decision) -> PermissionAnswer | None:
        """Before asking the user (or denying in ``-p``): a hook may answer instead."""
        ...

    def after_tool(self, call: ToolCall, outcome: ToolOutcome) -> tuple[ToolOutcome, str | None]:
        """The outcome the model gets (hook feedback added) and a stop reason, if any."""
        ...

    def on_stop(self, last_text: str, continuations: int) -> str | None:
        """A reason to continue the turn (given to the model), or None to let it end."""
        ...

    def on_compact(self, trigger: str, instructions: str) -> None:
        """PreCompact before a compaction (``manual`` or ``auto``)."""
        ...

    def after_compact(self) -> None:
        """SessionStart with source ``compact``: its context reaches the next prompt."""
        ...
