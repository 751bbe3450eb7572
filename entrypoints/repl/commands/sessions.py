"""/sessions and /resume, and switching the REPL to another session."""

from __future__ import annotations

import time

from rich.text import Text

from adapters.files.session_store import StartedSession
from domain.commands.parser import SlashInvocation
from domain.conversation.transcript import Conversation
from domain.messages.content import TextBlock
from entrypoints.bootstrap import build_session_store, session_hooks, system_prompt_for
from entrypoints.repl.commands.registry import CommandError, command
from entrypoints.repl.state import ReplState
from entrypoints.sessions_table import session_table

LISTED_AT_MOST = 30
# Completion asks on every key: the folder's sessions are read at most this often.
SESSION_ID_CACHE_SECONDS = 5.0


def session_ids(state: ReplState) -> list[str]:
    """This folder's session ids for completion, newest first."""
    cached = state.session_id_cache
    now = time.monotonic()
    if cached is not None and now - cached[0] < SESSION_ID_CACHE_SECONDS:
        return cached[1]
    ids = [s.session_id for s in build_session_store(state.ctx).list_sessions(state.ctx.workspace)]
    state.session_id_cache = (now, ids)
    return ids


def switch_to(state: ReplState, started: StartedSession) -> None:
    old = state.run.session.recorder
    if old is not None:
        old.close()
    state.run.session = started
    if state.run.checkpoints is not None:
        from adapters.checkpoints.recorder import history_folder

        state.run.checkpoints.use_session(history_folder(state.ctx.home, started.session_id))
    state.loop.conversation = started.conversation or Conversation()
    state.loop.recorder = started.recorder
    state.loop.session_id = started.session_id
    hooks = session_hooks(state.loop)
    if hooks is not None:  # hooks' input names the session they run in
        hooks.session_id, hooks.transcript_path = started.session_id, str(started.path)
    for warning in started.warnings:
        state.renderer.on_notice(warning)


def refresh_system_prompt(state: ReplState) -> None:
    """Instruction files edited since the start apply from the next session."""
    names = [str(d.get("name")) for d in state.loop.tools.definitions()]
    state.loop.settings.system = system_prompt_for(state.ctx, state.options, state.model, names)


@command("sessions", "list the saved sessions of this folder")
def list_sessions(state: ReplState, _: SlashInvocation) -> None:
    listed = build_session_store(state.ctx).list_sessions(state.ctx.workspace)
    if not listed:
        state.renderer.print(f"No saved sessions for {state.ctx.workspace}.")
        return
    width = state.renderer.console.width
    for line in session_table(listed[:LISTED_AT_MOST], width, current=state.session_id):
        state.renderer.print(Text(line))
    more = f" (newest {LISTED_AT_MOST} of {len(listed)})" if len(listed) > LISTED_AT_MOST else ""
    state.renderer.info(f"/resume ID continues one (a unique start of the id is enough){more}")


@command("resume", "continue a saved session", "session_id", "[id]")
def resume(state: ReplState, invocation: SlashInvocation) -> None:
    if not invocation.args:
        list_sessions(state, invocation)
        return
    store = build_session_store(state.ctx)
    wanted = store.resolve(state.ctx.workspace, invocation.words[0])
    if wanted == state.session_id:
        raise CommandError(f"already in session {wanted}")
    started = store.start(
        state.ctx.workspace, resume=wanted, persist=not state.options.no_session_persistence
    )
    switch_to(state, started)
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
