"""/clear, /compact, /cost and /export: the conversation of this session."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text

from adapters.terminal.repl_input import while_busy
from domain.commands.parser import SlashInvocation
from domain.conversation.compaction_run import describe_outcome
from domain.conversation.export import conversation_markdown
from domain.cost import describe_cost
from entrypoints.bootstrap import build_session_store, session_hooks
from entrypoints.repl.commands.registry import CommandError, CommandUnavailable, command
from entrypoints.repl.commands.sessions import refresh_system_prompt, switch_to
from entrypoints.repl.state import ReplState, format_tokens


@command("clear", "start a new session (the conversation is forgotten)")
def clear(state: ReplState, _: SlashInvocation) -> None:
    store = build_session_store(state.ctx)
    started = store.start(state.ctx.workspace, persist=not state.options.no_session_persistence)
    hooks = session_hooks(state.loop)
    if hooks is not None:
        hooks.session_end("clear")
    switch_to(state, started)
    if hooks is not None:
        hooks.session_start("clear")
    refresh_system_prompt(state)
    state.renderer.info(f"New session {state.session_id}; the conversation so far is forgotten.")


@command("compact", "summarise the conversation to free context", "text", "[focus]")
def compact(state: ReplState, invocation: SlashInvocation) -> None:
    compactor = state.loop.compactor
    if compactor is None:
        raise CommandUnavailable("compact", "this session has no compactor")
    with while_busy(), state.renderer.working("Compacting"):
        outcome = compactor.compact(state.loop.compaction_scope(), focus=invocation.args or None)
    state.count_compactions()
    state.renderer.print(Text(describe_outcome(outcome)))


@command("cost", "tokens and estimated cost of this session")
def cost(state: ReplState, _: SlashInvocation) -> None:
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


@command("export", "save the conversation as Markdown", "path", "[file]")
def export(state: ReplState, invocation: SlashInvocation) -> None:
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
    write_new_file(target, text, f"{target} already exists; name another file")
    state.renderer.print(Text(f"Exported {len(messages)} messages to {target}"))


def write_new_file(target: Path, text: str, exists_message: str) -> None:
    """Create ``target`` with ``text``; never replaces a file that is already there."""
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CommandError(exists_message) from None
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
