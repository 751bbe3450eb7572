"""One REPL turn: user content in, the answer rendered, the cost counted."""

from __future__ import annotations

import time
from collections.abc import Sequence

from adapters.terminal.repl_input import while_busy
from domain.messages.content import ContentBlock
from entrypoints.repl.state import ReplState

RETRACTED_NOTICE = (
    "The API refused that message, so it was taken out of the conversation: "
    "change it and send it again (Up recalls it)."
)


def run_content(state: ReplState, content: Sequence[ContentBlock], typed: str) -> None:
    """One turn with this user content (a prompt, or an expanded custom command); ``typed``
    is the line as the user typed it, which names the turn's checkpoint."""
    renderer = state.renderer
    renderer.begin_turn()
    started = time.monotonic()
    try:
        with while_busy():
            if state.run.checkpoints is not None:
                state.run.checkpoints.begin_turn(typed, len(state.loop.conversation.messages))
            result = state.loop.run_turn(content)
    finally:
        renderer.stop()
    state.record_turn(result, time.monotonic() - started)
    if result.error is not None:
        renderer.error(str(result.error))
    if result.retracted:
        renderer.on_notice(RETRACTED_NOTICE)
