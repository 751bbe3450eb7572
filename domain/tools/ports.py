"""The tools, as the loop sees them: definitions to offer, what a call touches, running it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome


class ToolRunner(Protocol):
    def definitions(self) -> list[JSONObject]:
        """The tool definitions sent to the API (name, description, input_schema)."""
        ...

    def access_of(self, call: ToolCall) -> ToolAccess:
        """What the call would touch, for the permission decision."""
        ...

    def run(self, call: ToolCall) -> ToolOutcome:
        """Run the call; failures are outcomes with ``is_error``, never exceptions."""
        ...


class InterruptedWithOutcome(KeyboardInterrupt):
    """Ctrl-C stopped a call that can still say what came of it (a subagent: its last text and
    what it spent); the loop answers the call with ``outcome``."""

    def __init__(self, outcome: ToolOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C while a batch ran: ``finished`` holds each job's outcome, None where the job
    had not finished (it was told to stop, and is answered as interrupted)."""

    def __init__(self, finished: list[ToolOutcome | None]) -> None:
        super().__init__()
        self.finished = finished


class ToolScheduler(Protocol):
    """Runs the calls of one batch (``domain.loop.tool_batches``) concurrently."""

    def concurrency_safe(self, call: ToolCall) -> bool:
        """Whether the call's tool may run beside others: it changes nothing and asks nothing."""
        ...

    def run_all(self, jobs: Sequence[Callable[[], ToolOutcome]]) -> list[ToolOutcome]:
        """Each job's outcome, in the jobs' order. Ctrl-C stops the jobs that can stop and
        raises ``BatchInterrupted``; a job's exception becomes an ``is_error`` outcome."""
        ...
