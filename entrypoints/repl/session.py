"""``hexclaw`` with no ``-p``: the interactive REPL.

Rules a reader must not break: nothing that happens in a turn or a slash command ends the
REPL (errors are one line, then the prompt comes back); only ``/exit``, ``/quit``, Ctrl-D
and Ctrl-C twice at an empty prompt leave.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import time
from collections.abc import Iterator, Sequence
from types import FrameType

from rich.text import Text

from adapters.files.mention_files import read_attachments
from adapters.terminal.repl_input import (
    EndOfInput,
    Interrupt,
    PlainInput,
    ReplInput,
)
from domain.commands.parser import ArgumentKind, parse_slash
from domain.context.file_mentions import prompt_content
from domain.errors import HexclawError
from domain.version import VERSION
from entrypoints.bootstrap import build_repl_terminal, build_run, mention_check, print_warnings
from entrypoints.config import RunOptions, load_config
from entrypoints.exit_codes import EXIT_TERMINATED
from entrypoints.repl.commands import REGISTRY, argument_values
from entrypoints.repl.commands.extensions import approver, register_custom_commands, wire_hooks
from entrypoints.repl.commands.mcp import register_mcp_prompts, resource_attachments
from entrypoints.repl.state import ReplState
from entrypoints.repl.turns import run_content
from entrypoints.startup_gc import resume_collection

PROMPT = "> "
ReplReader = ReplInput | PlainInput


def run_prompt(state: ReplState, text: str) -> None:
    renderer = state.renderer
    check = mention_check(state.ctx, state.policy)
    attachments, notes = read_attachments(state.ctx.workspace, text, check)
    resources, resource_notes = resource_attachments(state, text)
    attachments, notes = [*attachments, *resources], [*notes, *resource_notes]
    for note in notes:
        renderer.on_notice(note)
    for attachment in attachments:
        if attachment.media is not None:
            kind = "PDF" if attachment.media.get("type") == "document" else "image"
            renderer.info(f"  ⎿  attached {attachment.path} ({kind})")
            continue
        lines = attachment.text.count("\n") + 1
        renderer.info(f"  ⎿  attached {attachment.path} ({lines} lines)")
    run_content(state, prompt_content(text, attachments), text)


def handle(state: ReplState, text: str) -> None:
    """One line of input; every failure becomes one line on screen."""
    try:
        invocation = parse_slash(text)
        if invocation is not None:
            REGISTRY.run(state, invocation)
        else:
            run_prompt(state, text)
    except HexclawError as exc:
        state.renderer.stop()
        state.renderer.error(str(exc))
    except KeyboardInterrupt:
        state.renderer.stop()
        state.renderer.error("interrupted")
    except Exception as exc:
        state.renderer.stop()
        if os.environ.get("HEXCLAW_DEBUG"):
            raise
        state.renderer.error(
            f"internal error: {type(exc).__name__}: {exc} (set HEXCLAW_DEBUG=1 for details)"
        )


def _welcome(state: ReplState) -> None:
    line = Text.assemble(
        ("✻ hexclaw ", "bold"),
        (VERSION, "dim"),
        ("  ·  ", "dim"),
        (state.model, "bold"),
        ("  ·  ", "dim"),
        (str(state.ctx.workspace), ""),
    )
    state.renderer.print(line)
    state.renderer.info(
        "/help for commands · @path attaches a file · Ctrl-C interrupts · Ctrl-D leaves"
    )
    resumed = len(state.loop.conversation.messages)
    if resumed:
        state.renderer.info(f"Resumed session {state.session_id}: {resumed} messages.")


def _goodbye(state: ReplState) -> None:
    path = state.run.session.path
    saved = path.exists()
    tail = f" · resume with: hexclaw --resume {state.session_id}" if saved else ""
    state.renderer.info(f"{state.cost_text()} this run{tail}")


def run_repl(args: argparse.Namespace) -> int:
    ctx = load_config(args.settings)
    options = RunOptions.from_args(args, interactive=True)

    def toolbar() -> str:
        return state.toolbar()

    def values(kind: ArgumentKind) -> Sequence[str]:
        return argument_values(state, kind)

    def toggle_thinking() -> None:
        state.toggle_thinking()

    register_custom_commands(ctx)
    terminal = build_repl_terminal(ctx, options, REGISTRY.specs, values, toolbar, toggle_thinking)
    run = build_run(ctx, options, terminal.renderer, terminal.menu, approver(terminal.renderer))
    resume_collection()
    register_mcp_prompts(run.mcp)
    print_warnings(ctx)
    hooks = wire_hooks(run.loop)
    state = ReplState(
        ctx=ctx,
        options=options,
        run=run,
        renderer=terminal.renderer,
        started=time.monotonic(),
    )
    try:
        with _terminate_ends(state):
            _welcome(state)
            if hooks is not None:
                hooks.session_start("resume" if run.loop.conversation.messages else "startup")
            _converse(state, terminal.reader, args.prompt)
    except KeyboardInterrupt:
        if not state.terminated:
            raise
    finally:
        if hooks is not None:
            hooks.session_end("prompt_input_exit")
    state.renderer.stop()
    _goodbye(state)
    return EXIT_TERMINATED if state.terminated else 0


def _converse(state: ReplState, reader: ReplReader, pending: str | None) -> None:
    interrupted_once = False
    while not state.leaving:
        if pending is not None:
            text, pending = pending, None
            state.renderer.print(Text(f"{PROMPT}{text}", style="bold"))
        else:
            try:
                event = reader.read(PROMPT)
            except KeyboardInterrupt:
                if state.leaving:
                    return
                event = Interrupt()
            if isinstance(event, EndOfInput):
                return
            if isinstance(event, Interrupt):
                if interrupted_once:
                    return
                interrupted_once = True
                state.renderer.info("Press Ctrl-C again to leave (or Ctrl-D, or /exit).")
                continue
            text = event.text
        interrupted_once = False
        if text.strip():
            handle(state, text)


@contextlib.contextmanager
def _terminate_ends(state: ReplState) -> Iterator[None]:
    """SIGTERM interrupts what is running (so the turn settles and the session stays
    resumable) and then ends the REPL, where a Ctrl-C would only return to the prompt."""

    def terminate(signum: int, frame: FrameType | None) -> None:
        state.leaving = state.terminated = True
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
