"""The REPL's slash commands: the catalogue (for /help and completion) and what each one does.

A handler reports a user mistake by raising a ``HexclawError``; the REPL shows it as one line
and goes on. Handlers print through the renderer, never with ``print``.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from rich.table import Table
from rich.text import Text

from domain.conversation import Conversation
from domain.conversation_export import conversation_markdown
from domain.errors import HexclawError
from domain.models import KNOWN_MODELS, default_max_tokens
from domain.pricing import describe_cost
from domain.settings import describe_config
from domain.slash_command_parser import (
    ArgumentKind,
    CommandSpec,
    SlashInvocation,
    find_command,
    nearest_command,
)
from domain.starter_instructions import RepositoryFacts, starter_claude_md
from domain.version import VERSION
from entrypoints.cli import PERMISSION_MODES
from entrypoints.repl_state import ReplState, format_tokens

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help", "list the commands and keys"),
    CommandSpec("status", "model, auth, permission mode, session, folder, git branch"),
    CommandSpec("model", "show or change the model", "model", "[name]"),
    CommandSpec(
        "permissions", "show the mode and rules, or change the mode", "permission_mode", "[mode]"
    ),
    CommandSpec("clear", "start a new session (the conversation is forgotten)"),
    CommandSpec("compact", "summarise the conversation to free context", "text", "[focus]"),
    CommandSpec("cost", "tokens and estimated cost of this session"),
    CommandSpec("resume", "continue a saved session", "session_id", "[id]"),
    CommandSpec("sessions", "list the saved sessions of this folder"),
    CommandSpec("config", "the merged settings and where each came from"),
    CommandSpec(
        "memory", "the instruction files loaded; /memory N opens one in $EDITOR", "text", "[N]"
    ),
    CommandSpec("init", "write a starter CLAUDE.md for this repository"),
    CommandSpec("diff", "git diff of the workspace"),
    CommandSpec("export", "save the conversation as Markdown", "path", "[file]"),
    CommandSpec("login", "log in with your Claude account (OAuth)"),
    CommandSpec("logout", "remove the stored login"),
    CommandSpec("exit", "leave hexclaw", aliases=("quit",)),
)

KEYS_HELP = (
    ("Enter", "send"),
    ("Esc Enter, or \\ at the end", "new line (pasted text stays whole)"),
    ("@path", "attach a file (Tab completes paths)"),
    ("Up / Ctrl-R", "previous input / search the history"),
    ("Ctrl-C", "interrupt the answer; clear the line; twice to leave"),
    ("Ctrl-D", "leave"),
)
MAX_DIFF_LINES = 400


class CommandError(HexclawError):
    """A slash command could not do what was asked."""


class UnknownCommand(CommandError):
    def __init__(self, name: str, suggestion: str | None) -> None:
        hint = f"; did you mean /{suggestion}?" if suggestion else "; /help lists the commands"
        super().__init__(f"unknown command /{name}{hint}")


class CommandUnavailable(CommandError):
    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"/{name} is not available in this build: {why}")


Handler = Callable[[ReplState, SlashInvocation], None]


def argument_values(state: ReplState) -> Mapping[ArgumentKind, Sequence[str]]:
    """What completes after a command: the lists ``complete_command_line`` offers."""
    models = list(dict.fromkeys([state.model, *KNOWN_MODELS]))
    return {
        "model": models,
        "permission_mode": PERMISSION_MODES,
        "session_id": session_ids(state),
    }


def run_slash(state: ReplState, invocation: SlashInvocation) -> None:
    spec = find_command(invocation.name, COMMANDS)
    if spec is None:
        raise UnknownCommand(invocation.name, nearest_command(invocation.name, COMMANDS))
    HANDLERS[spec.name](state, invocation)


# /help /exit


def _help(state: ReplState, _: SlashInvocation) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for spec in COMMANDS:
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


def _exit(state: ReplState, _: SlashInvocation) -> None:
    state.leaving = True


# /status /model /permissions /config


def auth_source(state: ReplState) -> str:
    if state.ctx.env("ANTHROPIC_API_KEY"):
        return "API key (ANTHROPIC_API_KEY)"
    if state.ctx.env("ANTHROPIC_AUTH_TOKEN"):
        return "bearer token (ANTHROPIC_AUTH_TOKEN)"
    return "none found"


def git_branch(workspace: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "branch", "--show-current"],
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "(git not available)"
    if done.returncode != 0:
        return "(not a git repository)"
    return done.stdout.strip() or "(detached HEAD)"


def _status(state: ReplState, _: SlashInvocation) -> None:
    rows = [
        ("Version", f"hexclaw {VERSION}"),
        ("Model", state.model),
        ("Auth", auth_source(state)),
        ("API", state.ctx.env("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"),
        ("Permission mode", state.permission_mode),
        ("Session", state.session_id),
        ("Working directory", str(state.ctx.workspace)),
        ("Git branch", git_branch(state.ctx.workspace)),
    ]
    _print_rows(state, rows)


def _model(state: ReplState, invocation: SlashInvocation) -> None:
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


def _permissions(state: ReplState, invocation: SlashInvocation) -> None:
    policy = state.loop.permissions
    if invocation.args:
        wanted = invocation.args.strip()
        if wanted not in PERMISSION_MODES:
            choices = ", ".join(PERMISSION_MODES)
            raise CommandError(f"unknown permission mode {wanted!r}; choose one of {choices}")
        set_mode = getattr(policy, "set_mode", None)
        if set_mode is None:
            raise CommandUnavailable("permissions", "this session has no permission policy")
        mode = set_mode(wanted)
        state.renderer.print(Text.assemble("Permission mode set to ", (str(mode), "bold")))
        return
    describe = getattr(policy, "describe", None)
    lines: list[str] = describe() if describe is not None else [f"mode: {state.permission_mode}"]
    for line in lines:
        state.renderer.print(line)
    if len(lines) <= 1:
        state.renderer.info("No rules: reads in the workspace are allowed; anything else asks.")
    state.renderer.info(f"/permissions MODE switches: {', '.join(PERMISSION_MODES)}")


def _config(state: ReplState, _: SlashInvocation) -> None:
    state.renderer.print(Text(f"Config home: {state.ctx.home}", style="dim"))
    for line in describe_config(state.ctx.settings):
        state.renderer.print(Text(line))


# /clear /cost /export


def _clear(state: ReplState, _: SlashInvocation) -> None:
    state.loop.conversation = Conversation()
    state.session_id = str(uuid.uuid4())
    state.renderer.info(f"New session {state.session_id}; the conversation so far is forgotten.")


def _cost(state: ReplState, _: SlashInvocation) -> None:
    for line in describe_cost(state.ledger):
        state.renderer.print(Text(line))
    used, window = state.context_used()
    wall = time.monotonic() - state.started
    state.renderer.print(
        Text(
            f"Context: {format_tokens(used)} of {format_tokens(window)} tokens "
            f"({100 * used / window if window else 0:.0f}%) · {state.turn_seconds:.1f}s "
            f"answering in {wall:.0f}s of session"
        )
    )


def _export(state: ReplState, invocation: SlashInvocation) -> None:
    messages = state.loop.conversation.messages
    if not messages:
        raise CommandError("nothing to export yet: the conversation is empty")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = invocation.args.strip() or f"hexclaw-conversation-{stamp}.md"
    target = Path(name).expanduser()
    if not target.is_absolute():
        target = state.ctx.workspace / target
    details = [
        f"Session {state.session_id}",
        f"Model {state.model}",
        f"Exported {time.strftime('%Y-%m-%d %H:%M:%S')}",
    ]
    text = conversation_markdown(messages, "hexclaw conversation", details)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CommandError(f"{target} already exists; name another file") from None
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
    state.renderer.print(Text(f"Exported {len(messages)} messages to {target}"))


# /init /diff


def repository_facts(workspace: Path) -> RepositoryFacts:
    names: list[str] = []
    try:
        for entry in sorted(workspace.iterdir()):
            names.append(entry.name + ("/" if entry.is_dir() else ""))
    except OSError:
        pass
    targets: list[str] = []
    makefile = workspace / "Makefile"
    if makefile.is_file():
        for line in makefile.read_text(encoding="utf-8", errors="replace").splitlines():
            head, colon, _ = line.partition(":")
            if colon and head and not head.startswith(("\t", " ", ".", "#")) and "=" not in head:
                targets.extend(head.split())
    scripts: dict[str, str] = {}
    package = workspace / "package.json"
    if package.is_file():
        try:
            loaded = json.loads(package.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and isinstance(loaded.get("scripts"), dict):
                scripts = {str(k): str(v) for k, v in loaded["scripts"].items()}
        except (ValueError, OSError):
            pass
    return RepositoryFacts(workspace.name, names, targets, scripts)


def _init(state: ReplState, _: SlashInvocation) -> None:
    target = state.ctx.workspace / "CLAUDE.md"
    if target.exists():
        raise CommandError(
            f"{target} already exists; /init never overwrites it (edit it, or /memory to open it)"
        )
    text = starter_claude_md(repository_facts(state.ctx.workspace))
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CommandError(f"{target} already exists; /init never overwrites it") from None
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
    state.renderer.print(Text(f"Wrote {target}: fill in the parts in parentheses."))
    state.renderer.info("It is read at the start of the next session (or after /clear).")


def _git(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-c", "color.ui=never", *args],
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except FileNotFoundError:
        raise CommandError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise CommandError(f"git {args[0]} took too long") from None


def _diff(state: ReplState, _: SlashInvocation) -> None:
    workspace = state.ctx.workspace
    inside = _git(workspace, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise CommandError(f"{workspace} is not in a git repository")
    has_head = _git(workspace, "rev-parse", "--verify", "-q", "HEAD").returncode == 0
    diff = _git(workspace, "diff", "HEAD") if has_head else _git(workspace, "diff", "--cached")
    untracked = _git(workspace, "ls-files", "--others", "--exclude-standard").stdout.split("\n")
    untracked = [u for u in untracked if u]
    if not diff.stdout.strip() and not untracked:
        state.renderer.print(Text("No changes against HEAD."))
        return
    if diff.stdout.strip():
        stat = _git(workspace, "diff", "--stat", "HEAD" if has_head else "--cached")
        state.renderer.print(Text(stat.stdout.rstrip(), style="bold"))
        state.renderer.diff(diff.stdout, MAX_DIFF_LINES, indent=0)
    if untracked:
        state.renderer.print(
            Text(
                f"Untracked: {', '.join(untracked[:20])}" + (" …" if len(untracked) > 20 else ""),
                style="yellow",
            )
        )


# /memory


def _memory(state: ReplState, invocation: SlashInvocation) -> None:
    raise CommandUnavailable("memory", "the instruction-memory loader is not wired in yet")


def open_in_editor(path: str, environ: Mapping[str, str]) -> None:
    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    try:
        subprocess.run([*shlex.split(editor), path], check=False)
    except OSError as exc:
        raise CommandError(f"cannot start the editor {editor!r}: {exc.strerror or exc}") from None


# Sessions, compaction and login are wired in as their pieces land.


def session_ids(state: ReplState) -> list[str]:
    return []


def _compact(state: ReplState, invocation: SlashInvocation) -> None:
    raise CommandUnavailable("compact", "conversation compaction is not wired in yet")


def _resume(state: ReplState, invocation: SlashInvocation) -> None:
    raise CommandUnavailable("resume", "saved sessions are not wired in yet")


def _sessions(state: ReplState, invocation: SlashInvocation) -> None:
    raise CommandUnavailable("sessions", "saved sessions are not wired in yet")


def _login(state: ReplState, invocation: SlashInvocation) -> None:
    raise CommandUnavailable("login", "OAuth login is not wired in yet")


def _logout(state: ReplState, invocation: SlashInvocation) -> None:
    raise CommandUnavailable("logout", "OAuth login is not wired in yet")


def _print_rows(state: ReplState, rows: Sequence[tuple[str, str]]) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(Text(key), Text(value))
    state.renderer.print(table)


HANDLERS: dict[str, Handler] = {
    "help": _help,
    "status": _status,
    "model": _model,
    "permissions": _permissions,
    "clear": _clear,
    "compact": _compact,
    "cost": _cost,
    "resume": _resume,
    "sessions": _sessions,
    "config": _config,
    "memory": _memory,
    "init": _init,
    "diff": _diff,
    "export": _export,
    "login": _login,
    "logout": _logout,
    "exit": _exit,
}
