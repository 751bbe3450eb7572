"""Custom slash commands at the entry points: ``hexclaw -p "/review src/app.py"`` and the REPL
expand a command file before sending, in Claude Code's message shape."""

from __future__ import annotations

from collections.abc import Callable, Collection

from domain.commands.custom import CustomCommand
from domain.commands.parser import parse_slash
from domain.loop.agent_loop import AgentLoop
from domain.messages.content import ContentBlock
from domain.permissions.policy import PermissionPolicy
from domain.tools.calls import Decision
from domain.trust.ledger import TrustCheck
from entrypoints.bootstrap import Run, approve_items
from entrypoints.config import Config


def find_custom(
    ctx: Config, name: str, say: Callable[[str], None], builtin: Collection[str]
) -> CustomCommand | None:
    from adapters.commands.command_files import load_commands

    warnings: list[str] = []
    commands = load_commands(ctx.workspace, ctx.home, warnings)
    for warning in warnings:
        say(warning)
    found = commands.get(name) or next(
        (c for key, c in commands.items() if key.lower() == name), None
    )
    if found is not None and found.name.lower() in builtin:
        say(f"{found.source} is not used: /{found.name} is a built-in command")
        return None
    return found


def expand_prompt(
    ctx: Config, run: Run, text: str, say: Callable[[str], None], builtin: Collection[str]
) -> list[ContentBlock] | None:
    """``-p``: the message for a custom command typed as ``text``; None when it is not one
    (or when a built-in command has its name). Nothing is asked: unapproved or unpermitted
    ``!`cmd``` lines do not run."""
    invocation = parse_slash(text)
    if invocation is None:
        return None
    found = find_custom(ctx, invocation.name, say, builtin)
    if found is None:
        return None
    return expand_command(ctx, run.policy, run.loop, found, invocation.args, say)


def expand_command(
    ctx: Config,
    policy: PermissionPolicy,
    loop: AgentLoop,
    command: CustomCommand,
    args: str,
    say: Callable[[str], None],
    approve: Callable[[TrustCheck], bool] | None = None,
    confirm: Callable[[str, Decision], bool] | None = None,
) -> list[ContentBlock]:
    from adapters.commands.expander import CommandExpander
    from adapters.files.trust_store import load_ledger

    warnings: list[str] = []
    ledger = load_ledger(ctx.home, warnings)
    expander = CommandExpander(ctx.workspace, policy, ledger, _storing(ctx, approve), confirm)
    expansion = expander.expand(command, args)
    for line in [*warnings, *expansion.notes]:
        say(line)
    if command.model:
        loop.settings.model = command.model
    return list(expansion.content)


def _storing(
    ctx: Config, approve: Callable[[TrustCheck], bool] | None
) -> Callable[[TrustCheck], bool] | None:
    """An approval the user gives is stored, pinned to the content they saw."""
    if approve is None:
        return None

    def ask(check: TrustCheck) -> bool:
        return bool(approve_items(ctx, [check], approve, []))

    return ask
