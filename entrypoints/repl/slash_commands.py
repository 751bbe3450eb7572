"""The REPL's slash commands: the catalogue (for /help and completion) and what each one does.

A handler reports a user mistake by raising a ``HexclawError``; the REPL shows it as one line
and goes on. Handlers print through the renderer, never with ``print``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from rich.table import Table
from rich.text import Text

from adapters.files.session_store import SessionFile, StartedSession
from adapters.terminal.repl_input import while_busy
from domain.auth.credential_chain import Unusable
from domain.commands.parser import (
    ArgumentKind,
    CommandSpec,
    SlashInvocation,
    find_command,
    nearest_command,
)
from domain.context.instruction_memory import LoadedMemory, describe_memory
from domain.context.starter_instructions import RepositoryFacts, starter_claude_md
from domain.conversation.compaction_run import Compactor, describe_outcome
from domain.conversation.export import conversation_markdown
from domain.conversation.transcript import Conversation
from domain.cost import describe_cost
from domain.errors import HexclawError
from domain.messages.content import TextBlock
from domain.model_catalog import KNOWN_MODELS, default_max_tokens
from domain.permissions.modes import PERMISSION_MODES
from domain.permissions.policy import BYPASS_WARNING
from domain.permissions.rules import RuleBehavior
from domain.settings.merge import describe_config
from domain.version import VERSION
from entrypoints.bootstrap import (
    build_auth,
    build_session_store,
    load_instruction_memory,
    permission_policy,
    system_prompt_for,
)
from entrypoints.repl.state import ReplState, format_tokens

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
        "memory",
        "the instruction files loaded; /memory N opens one in $EDITOR",
        "text",
        "[N|user|project]",
    ),
    CommandSpec("init", "write a starter CLAUDE.md for this repository"),
    CommandSpec("diff", "git diff of the workspace"),
    CommandSpec("export", "save the conversation as Markdown", "path", "[file]"),
    CommandSpec(
        "login", "log in with your Claude account (OAuth)", "text", "[--manual] [--no-browser]"
    ),
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


class _ArgumentValues(Mapping[ArgumentKind, Sequence[str]]):
    """Computed per kind when asked, so typing ``/model`` never lists the saved sessions."""

    _KINDS: tuple[ArgumentKind, ...] = ("model", "permission_mode", "session_id")

    def __init__(self, state: ReplState) -> None:
        self._state = state

    def __getitem__(self, kind: ArgumentKind) -> Sequence[str]:
        if kind == "model":
            return list(dict.fromkeys([self._state.model, *KNOWN_MODELS]))
        if kind == "permission_mode":
            return PERMISSION_MODES
        if kind == "session_id":
            return session_ids(self._state)
        raise KeyError(kind)

    def __iter__(self) -> Iterator[ArgumentKind]:
        return iter(self._KINDS)

    def __len__(self) -> int:
        return len(self._KINDS)


def argument_values(state: ReplState) -> Mapping[ArgumentKind, Sequence[str]]:
    """What completes after a command: the lists ``complete_command_line`` offers."""
    return _ArgumentValues(state)


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
    result = build_auth(state.ctx, check=False).resolve()
    if isinstance(result, Unusable):
        return f"none usable: {result.reason} (/login, or set ANTHROPIC_API_KEY)"
    return f"{result.source} ({result.reason})"


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


RULE_BEHAVIORS: dict[str, RuleBehavior] = {"allow": "allow", "ask": "ask", "deny": "deny"}


def _permissions(state: ReplState, invocation: SlashInvocation) -> None:
    try:
        policy = permission_policy(state.loop)
    except TypeError:
        raise CommandUnavailable("permissions", "this session has no permission policy") from None
    words = invocation.words
    if words and words[0] in RULE_BEHAVIORS and len(words) > 1:
        behavior = RULE_BEHAVIORS[words[0]]
        rule = policy.add_rule(behavior, invocation.args.split(None, 1)[1].strip())
        state.renderer.print(Text(f"Added {words[0]} rule {rule} for this session."))
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


def _config(state: ReplState, _: SlashInvocation) -> None:
    state.renderer.print(Text(f"Config home: {state.ctx.home}", style="dim"))
    for line in describe_config(state.ctx.settings):
        state.renderer.print(Text(line))


# /clear /cost /export


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
    _write_new_file(target, text, f"{target} already exists; name another file")
    state.renderer.print(Text(f"Exported {len(messages)} messages to {target}"))


def _write_new_file(target: Path, text: str, exists_message: str) -> None:
    """Create ``target`` with ``text``; never replaces a file that is already there."""
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CommandError(exists_message) from None
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None


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
    _write_new_file(target, text, f"{target} already exists; /init never overwrites it")
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
    if state.options.system_prompt is not None:
        state.renderer.info("--system-prompt replaced hexclaw's prompt, instruction files too.")
    memory = state.ctx.memory or load_instruction_memory(state.ctx)
    choice = invocation.args.strip()
    if choice:
        open_in_editor(_memory_file(state, choice, memory), state.ctx.environ)
        state.renderer.info("Saved changes apply from the next session (/clear starts one).")
        return
    for line in describe_memory(memory):
        state.renderer.print(Text(line))
    for number, entry in enumerate(memory.included, start=1):
        state.renderer.print(Text(f"  {number}. {entry.path}"))
    state.renderer.info(
        "/memory N opens file N in $EDITOR; /memory user or /memory project opens (or "
        "creates) that CLAUDE.md."
    )


def _memory_file(state: ReplState, choice: str, memory: LoadedMemory) -> str:
    if choice == "user":
        return str(state.ctx.home / "CLAUDE.md")
    if choice == "project":
        return str(state.ctx.workspace / "CLAUDE.md")
    included = memory.included
    if choice.isdigit() and 1 <= int(choice) <= len(included):
        return included[int(choice) - 1].path
    raise CommandError(
        f"/memory {choice}: name a number from 1 to {len(included)}, user, or project"
        if included
        else f"/memory {choice}: no instruction file is loaded; use /memory user or project"
    )


def open_in_editor(path: str, environ: Mapping[str, str]) -> None:
    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    try:
        subprocess.run([*shlex.split(editor), path], check=False)
    except OSError as exc:
        raise CommandError(f"cannot start the editor {editor!r}: {exc.strerror or exc}") from None


# Sessions


SESSION_ID_CACHE_SECONDS = 5.0
_session_id_cache: dict[str, tuple[float, list[str]]] = {}


def session_ids(state: ReplState) -> list[str]:
    """This folder's session ids for completion, newest first; read at most every few seconds
    since completion asks on every key."""
    key = str(state.ctx.workspace)
    cached = _session_id_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < SESSION_ID_CACHE_SECONDS:
        return cached[1]
    ids = [s.session_id for s in build_session_store(state.ctx).list_sessions(state.ctx.workspace)]
    _session_id_cache[key] = (now, ids)
    return ids


def _switch_to(state: ReplState, started: StartedSession) -> None:
    old = state.loop.recorder
    if isinstance(old, SessionFile):
        old.close()
    state.loop.conversation = started.conversation or Conversation()
    state.loop.recorder = started.recorder
    state.loop.session_id = started.session_id
    for warning in started.warnings:
        state.renderer.on_notice(warning)


def _refresh_system_prompt(state: ReplState) -> None:
    """Instruction files edited since the start apply from the next session."""
    names = [str(d.get("name")) for d in state.loop.tools.definitions()]
    state.loop.settings.system = system_prompt_for(state.ctx, state.options, state.model, names)


def _clear(state: ReplState, _: SlashInvocation) -> None:
    store = build_session_store(state.ctx)
    started = store.start(state.ctx.workspace, persist=not state.options.no_session_persistence)
    _switch_to(state, started)
    _refresh_system_prompt(state)
    state.renderer.info(f"New session {state.session_id}; the conversation so far is forgotten.")


def _sessions(state: ReplState, _: SlashInvocation) -> None:
    listed = build_session_store(state.ctx).list_sessions(state.ctx.workspace)
    if not listed:
        state.renderer.print(f"No saved sessions for {state.ctx.workspace}.")
        return
    prompt_width = max(20, state.renderer.console.width - 70)
    state.renderer.print(Text(f"  {'ID':<36}  {'STARTED':<16}  {'MESSAGES':>8}  FIRST PROMPT"))
    for session in listed[:30]:
        summary = session.summary
        mark = "●" if session.session_id == state.session_id else " "
        if summary is None:
            started, count, prompt = "?", "?", f"({session.problem})"
        else:
            started = _local_minute(summary.started_at)
            count = str(summary.message_count)
            prompt = " ".join(summary.first_prompt.split()) or "(no prompt)"
        if len(prompt) > prompt_width:
            prompt = prompt[: prompt_width - 1] + "…"
        state.renderer.print(
            Text(f"{mark} {session.session_id:<36}  {started:<16}  {count:>8}  {prompt}")
        )
    more = f" (newest 30 of {len(listed)})" if len(listed) > 30 else ""
    state.renderer.info(f"/resume ID continues one (a unique start of the id is enough){more}")


def _local_minute(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16] or "?"


def _resume(state: ReplState, invocation: SlashInvocation) -> None:
    if not invocation.args:
        _sessions(state, invocation)
        return
    store = build_session_store(state.ctx)
    wanted = store.resolve(state.ctx.workspace, invocation.words[0])
    if wanted == state.session_id:
        raise CommandError(f"already in session {wanted}")
    started = store.start(
        state.ctx.workspace, resume=wanted, persist=not state.options.no_session_persistence
    )
    _switch_to(state, started)
    messages = state.loop.conversation.messages
    state.renderer.print(Text(f"Resumed session {wanted}: {len(messages)} messages.", style="bold"))
    last_prompt = next(
        (
            block.text
            for message in reversed(messages)
            if message.role == "user"
            for block in message.content
            if isinstance(block, TextBlock) and block.text.strip()
        ),
        "",
    )
    if last_prompt:
        state.renderer.info(f"Last prompt: {' '.join(last_prompt.split())[:200]}")


# /compact


def _compact(state: ReplState, invocation: SlashInvocation) -> None:
    compactor = state.loop.compactor
    if not isinstance(compactor, Compactor):
        raise CommandUnavailable("compact", "this session has no compactor")
    with while_busy(), state.renderer.working("Compacting"):
        outcome = compactor.compact(state.loop, focus=invocation.args or None)
    state.count_compactions()
    state.renderer.print(Text(describe_outcome(outcome)))


# /login /logout


def _login(state: ReplState, invocation: SlashInvocation) -> None:
    from entrypoints.auth_commands import run_auth_command

    words = set(invocation.words)
    unknown = words - {"--manual", "--no-browser"}
    if unknown:
        raise CommandError(f"/login takes --manual or --no-browser, not {' '.join(unknown)}")
    args = argparse.Namespace(
        command="login",
        settings=None,
        manual="--manual" in words,
        no_browser="--no-browser" in words,
        port=None,
    )
    run_auth_command(args)


def _logout(state: ReplState, _: SlashInvocation) -> None:
    from entrypoints.auth_commands import run_auth_command

    run_auth_command(argparse.Namespace(command="logout", settings=None))


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
