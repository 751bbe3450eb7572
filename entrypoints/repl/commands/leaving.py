"""/exit (and /quit)."""

from __future__ import annotations

from domain.commands.parser import SlashInvocation
from entrypoints.repl.commands.registry import command
from entrypoints.repl.state import ReplState


@command("exit", "leave hexclaw", aliases=("quit",))
def leave(state: ReplState, _: SlashInvocation) -> None:
    state.leaving = True
