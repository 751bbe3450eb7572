"""/help, /status and /config: what hexclaw is doing and with what."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from adapters.system.git import GitFailed, GitRunner
from domain.auth.credential_chain import Unusable
from domain.commands.parser import SlashInvocation
from domain.settings.merge import describe_config
from domain.version import VERSION
from entrypoints.bootstrap import build_auth
from entrypoints.repl.commands.registry import REGISTRY, command
from entrypoints.repl.state import ReplState

KEYS_HELP = (
    ("Enter", "send"),
    ("Esc Enter, or \\ at the end", "new line (pasted text stays whole)"),
    ("@path", "attach a file, image or PDF (Tab completes paths)"),
    ("Tab", "thinking on or off, where there is nothing to complete"),
    ("Up / Ctrl-R", "previous input / search the history"),
    ("Ctrl-C", "interrupt the answer; clear the line; twice to leave"),
    ("Ctrl-D", "leave"),
)
GIT_TIMEOUT = 5.0


@command("help", "list the commands and keys")
def show_help(state: ReplState, _: SlashInvocation) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for spec in REGISTRY.specs:
        aliases = "".join(f", /{a}" for a in spec.aliases)
        table.add_row(Text(spec.usage + aliases), Text(spec.summary))
    state.renderer.print(table)
    keys = Table.grid(padding=(0, 2))
    keys.add_column(style="bold")
    keys.add_column(style="dim")
    for key, meaning in KEYS_HELP:
        keys.add_row(Text(key), Text(meaning))
    state.renderer.print(Text("\nKeys", style="bold underline"))
    state.renderer.print(keys)


def auth_source(state: ReplState) -> str:
    result = build_auth(state.ctx, check=False).resolve()
    if isinstance(result, Unusable):
        return f"none usable: {result.reason} (/login, or set ANTHROPIC_API_KEY)"
    return f"{result.source} ({result.reason})"


def git_branch(state: ReplState) -> str:
    git = GitRunner(state.ctx.workspace, GIT_TIMEOUT)
    try:
        return git.run("branch", "--show-current").strip() or "(detached HEAD)"
    except FileNotFoundError:
        return "(git not available)"
    except GitFailed:
        return "(not a git repository)"


@command("status", "model, auth, permission mode, session, folder, git branch")
def show_status(state: ReplState, _: SlashInvocation) -> None:
    rows = [
        ("Version", f"hexclaw {VERSION}"),
        ("Model", state.model),
        ("Auth", auth_source(state)),
        ("API", state.ctx.env("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"),
        ("Permission mode", state.permission_mode),
        ("Session", state.session_id),
        ("Working directory", str(state.ctx.workspace)),
        ("Git branch", git_branch(state)),
    ]
    print_rows(state, rows)


@command("config", "the merged settings and where each came from")
def show_config(state: ReplState, _: SlashInvocation) -> None:
    state.renderer.print(Text(f"Config home: {state.ctx.home}", style="dim"))
    for line in describe_config(state.ctx.settings):
        state.renderer.print(Text(line))


def print_rows(state: ReplState, rows: Sequence[tuple[str, str]]) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(Text(key), Text(value))
    state.renderer.print(table)
