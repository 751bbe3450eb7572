"""Which Agent call the code running now works for: set around a subagent's turn.

The model client is shared with the parent (budgets count subagents), so its raw stream
events (``--include-partial-messages``) reach one callback; that callback reads this to
mark a subagent's events with its Agent call's id, as Claude Code marks them. A context
variable follows the work onto the worker threads of a batch.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hexclaw_agent_call", default=None
)


def current_agent_call() -> str | None:
    """The id of the Agent call whose subagent runs here; None in the main conversation."""
    return _CURRENT.get()


@contextlib.contextmanager
def working_for(agent_call_id: str) -> Iterator[None]:
    token = _CURRENT.set(agent_call_id)
    try:
        yield
    finally:
        _CURRENT.reset(token)
