"""/rewind: the session's turns, and putting files and conversation back to a turn's start."""

from __future__ import annotations

from rich.text import Text

from adapters.checkpoints.rewinder import Rewinder
from domain.commands.parser import SlashInvocation
from domain.sessions.log import rewound_entry
from entrypoints.repl.commands.registry import CommandError, CommandUnavailable, command
from entrypoints.repl.state import ReplState
from entrypoints.rewind_commands import preview_lines, restored_lines, turn_lines

WHAT = {"code", "conversation", "both"}
USAGE = "/rewind N [code|conversation|both] [--force] --yes"


@command(
    "rewind",
    "list the turns, or put files and conversation back to a turn's start",
    "text",
    "[N [code|conversation|both] [--force] --yes]",
)
def rewind(state: ReplState, invocation: SlashInvocation) -> None:
    recorder = state.run.checkpoints
    if recorder is None:
        raise CommandUnavailable("rewind", "this session keeps no checkpoints")
    rewinder = Rewinder(recorder)
    words = invocation.words
    if not words:
        for line in turn_lines(rewinder):
            state.renderer.print(Text(line))
        state.renderer.info(f"{USAGE} rewinds (without --yes it only shows what would change)")
        return
    if not words[0].isdigit():
        raise CommandError(f"/rewind takes a turn number first: {USAGE}")
    turn = int(words[0])
    options = set(words[1:])
    unknown = options - WHAT - {"--force", "--yes"}
    if unknown:
        raise CommandError(f"/rewind does not take {' '.join(sorted(unknown))}: {USAGE}")
    what = next((w for w in ("code", "conversation") if w in options), "both")
    plan = rewinder.plan(turn)
    if what in ("code", "both"):
        for line in preview_lines(plan):
            state.renderer.print(Text(line))
    if "--yes" not in options:
        state.renderer.info(f"Nothing changed yet: /rewind {invocation.args} --yes applies it.")
        return
    if what in ("code", "both"):
        restored = rewinder.restore(turn, force="--force" in options)
        for line in restored_lines(restored):
            state.renderer.print(Text(line))
    if what in ("conversation", "both"):
        del state.loop.conversation.messages[plan.messages :]
        state.loop.conversation.last_call_usage = None
        if state.run.session.recorder is not None:
            state.run.session.recorder.append(rewound_entry(plan.messages, turn))
        state.renderer.print(Text(f"The conversation continues from before turn {turn}'s prompt."))
