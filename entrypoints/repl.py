"""``hexclaw`` with no ``-p``: the interactive REPL.

Rules a reader must not break: nothing that happens in a turn or a slash command ends the
REPL (errors are one line, then the prompt comes back); only ``/exit``, ``/quit``, Ctrl-D
and Ctrl-C twice at an empty prompt leave.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.text import Text

from adapters.repl_input import EndOfInput, Interrupt, Line, read_attachments, while_busy
from domain.errors import HexclawError
from domain.file_mentions import prompt_content
from domain.slash_command_parser import ArgumentKind, parse_slash
from domain.version import VERSION
from entrypoints.bootstrap import RunOptions, build_loop, build_repl_terminal, load_context
from entrypoints.repl_state import ReplState
from entrypoints.slash_commands import COMMANDS, argument_values, run_slash

PROMPT = "> "


def run_prompt(state: ReplState, text: str) -> None:
    renderer = state.renderer
    attachments, notes = read_attachments(state.ctx.workspace, text)
    for note in notes:
        renderer.on_notice(note)
    for attachment in attachments:
        lines = attachment.text.count("\n") + 1
        renderer.info(f"  ⎿  attached {attachment.path} ({lines} lines)")
    renderer.begin_turn()
    started = time.monotonic()
    try:
        with while_busy():
            result = state.loop.run_turn(prompt_content(text, attachments))
    finally:
        renderer.stop()
    state.record_turn(result, time.monotonic() - started)
    if result.error is not None:
        renderer.error(str(result.error))


def handle(state: ReplState, text: str) -> None:
    """One line of input; every failure becomes one line on screen."""
    try:
        invocation = parse_slash(text)
        if invocation is not None:
            run_slash(state, invocation)
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
    path = getattr(state.loop.recorder, "path", None)
    saved = isinstance(path, Path) and path.exists()
    tail = f" · resume with: hexclaw --resume {state.session_id}" if saved else ""
    state.renderer.info(f"{state.cost_text()} this run{tail}")


def run_repl(args: argparse.Namespace) -> int:
    ctx = load_context(args.settings)
    options = RunOptions.from_args(args, interactive=True)

    def toolbar() -> str:
        return state.toolbar()

    def values() -> Mapping[ArgumentKind, Sequence[str]]:
        return argument_values(state)

    terminal = build_repl_terminal(ctx, options, COMMANDS, values, toolbar)
    loop = build_loop(ctx, options, terminal.renderer, terminal.menu)
    state = ReplState(
        ctx=ctx,
        options=options,
        loop=loop,
        renderer=terminal.renderer,
        started=time.monotonic(),
    )
    _welcome(state)
    pending: str | None = args.prompt
    interrupted_once = False
    while not state.leaving:
        if pending is not None:
            text, pending = pending, None
            state.renderer.print(Text(f"{PROMPT}{text}", style="bold"))
        else:
            event = terminal.reader.read(PROMPT)
            if isinstance(event, EndOfInput):
                break
            if isinstance(event, Interrupt):
                if interrupted_once:
                    break
                interrupted_once = True
                state.renderer.info("Press Ctrl-C again to leave (or Ctrl-D, or /exit).")
                continue
            assert isinstance(event, Line)
            text = event.text
        interrupted_once = False
        if text.strip():
            handle(state, text)
    state.renderer.stop()
    _goodbye(state)
    return 0
