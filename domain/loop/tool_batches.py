"""Which calls of one assistant message may run at the same time.

Calls run in the order the model wrote them, except that consecutive calls of tools that
change nothing and ask nothing while running (``concurrency_safe``: Read, Glob, Grep, LS,
WebFetch, Agent) form one batch that runs concurrently. Any other call is a batch of its own,
so a write or a command never overlaps anything, and a read after a write sees the write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from domain.messages.content import ToolUseBlock


def plan_batches(
    calls: Sequence[ToolUseBlock], concurrency_safe: Callable[[ToolUseBlock], bool]
) -> list[list[ToolUseBlock]]:
    """The calls cut into batches, in order; a batch of two or more runs concurrently."""
    batches: list[list[ToolUseBlock]] = []
    open_batch = False
    for call in calls:
        safe = call.input_error is None and concurrency_safe(call)
        if safe and open_batch:
            batches[-1].append(call)
        else:
            batches.append([call])
        open_batch = safe
    return batches
