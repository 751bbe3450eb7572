"""/login and /logout: the same flows as ``hexclaw login`` and ``hexclaw logout``."""

from __future__ import annotations

from domain.commands.parser import SlashInvocation
from entrypoints.repl.commands.registry import CommandError, command
from entrypoints.repl.state import ReplState

LOGIN_FLAGS = {"--manual", "--no-browser"}


@command("login", "log in with your Claude account (OAuth)", "text", "[--manual] [--no-browser]")
def login(state: ReplState, invocation: SlashInvocation) -> None:
    from entrypoints.auth_commands import log_in

    words = set(invocation.words)
    unknown = words - LOGIN_FLAGS
    if unknown:
        raise CommandError(f"/login takes --manual or --no-browser, not {' '.join(unknown)}")
    log_in(state.ctx, manual="--manual" in words, no_browser="--no-browser" in words)


@command("logout", "remove the stored login")
def logout(state: ReplState, _: SlashInvocation) -> None:
    from entrypoints.auth_commands import log_out

    log_out(state.ctx)
