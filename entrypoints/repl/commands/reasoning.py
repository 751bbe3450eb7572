"""/effort: how much effort the model spends, where the model takes an effort level."""

from __future__ import annotations

from rich.text import Text

from domain.commands.parser import SlashInvocation
from domain.reasoning.errors import ReasoningError
from domain.reasoning.models import thinking_support
from entrypoints.repl.commands.registry import CommandError, command
from entrypoints.repl.state import ReplState


@command("effort", "show or set the effort level (where the model takes one)", "text", "[level]")
def effort(state: ReplState, invocation: SlashInvocation) -> None:
    controls = state.run.reasoning
    if controls is None:
        raise CommandError("this session does not choose how the model thinks")
    settings = state.loop.settings
    words = invocation.words
    if len(words) > 1:
        raise CommandError("/effort takes one level, e.g. /effort high (or /effort auto)")
    if words:
        try:
            controls.set_effort(words[0].lower(), settings.model)
        except ReasoningError as exc:
            raise CommandError(str(exc)) from None
    support = thinking_support(settings.model)
    state.renderer.print(Text(controls.describe(settings.model, settings.max_tokens)))
    if support.efforts and not words:
        state.renderer.info(
            f"/effort {'|'.join(support.efforts)}|auto sets it for this session; "
            "Tab at the prompt turns thinking on or off."
        )
