"""/model and /permissions: change what the rest of the session runs with."""

from __future__ import annotations

from rich.text import Text

from domain.commands.parser import SlashInvocation
from domain.model_catalog import KNOWN_MODELS, default_max_tokens
from domain.permission_modes import PERMISSION_MODES
from domain.permissions.policy import BYPASS_WARNING
from domain.permissions.rules import RuleBehavior
from entrypoints.repl.commands.registry import CommandError, command
from entrypoints.repl.state import ReplState


@command("model", "show or change the model", "model", "[name]")
def model(state: ReplState, invocation: SlashInvocation) -> None:
    if not invocation.args:
        state.renderer.print(Text.assemble("Model: ", (state.model, "bold")))
        for name in KNOWN_MODELS:
            mark = "●" if name == state.model else " "
            state.renderer.print(Text(f"  {mark} {name}"))
        state.renderer.info("/model NAME switches; any name your API or proxy serves works.")
        return
    words = invocation.words
    if len(words) != 1:
        raise CommandError("/model takes one model name, e.g. /model claude-opus-4-5")
    name = words[0]
    settings = state.loop.settings
    settings.model = name
    settings.max_tokens = state.options.max_tokens or default_max_tokens(name)
    note = "" if name in KNOWN_MODELS else " (not a name hexclaw knows; the API will judge)"
    state.renderer.print(Text.assemble("Model set to ", (name, "bold"), note))


def _rule_behavior(word: str) -> RuleBehavior | None:
    match word:
        case "allow" | "ask" | "deny":
            return word
        case _:
            return None


@command("permissions", "show the mode and rules, or change the mode", "permission_mode", "[mode]")
def permissions(state: ReplState, invocation: SlashInvocation) -> None:
    policy = state.policy
    words = invocation.words
    behavior = _rule_behavior(words[0]) if words else None
    if behavior is not None and len(words) > 1:
        rule = policy.add_rule(behavior, invocation.args.split(None, 1)[1].strip())
        state.renderer.print(Text(f"Added {behavior} rule {rule} for this session."))
        return
    if words:
        wanted = invocation.args.strip()
        if wanted not in PERMISSION_MODES:
            choices = ", ".join(PERMISSION_MODES)
            raise CommandError(
                f"unknown permission mode {wanted!r}; choose one of {choices} "
                "(or /permissions allow|ask|deny RULE)"
            )
        mode = policy.set_mode(wanted)
        state.renderer.print(Text.assemble("Permission mode set to ", (mode, "bold")))
        if mode == "bypassPermissions":
            state.renderer.on_notice(BYPASS_WARNING)
        return
    lines = policy.describe()
    for line in lines:
        state.renderer.print(Text(line))
    if len(lines) <= 1:
        state.renderer.info("No rules: reads in the workspace are allowed; anything else asks.")
    state.renderer.info(
        f"/permissions MODE switches ({', '.join(PERMISSION_MODES)}); "
        '/permissions allow|ask|deny RULE adds a rule, e.g. "Bash(npm test:*)".'
    )
