"""``hexclaw -p --input-format stream-json --output-format stream-json``: a session driven by
another program over pipes.

Each user message on stdin runs one turn in the same process and session: an init line
first (with the mode and model as they are now), the turn's messages, then its result line.
Control requests are answered while a turn runs; the end of stdin ends the session after the
running turn. Exit code: 0, or 1 when the last turn ended in error; a bad input line ends the
session with exit 2; a SIGINT or SIGTERM from outside ends it as in ``-p`` (130, 143).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.headless.stdio_channel import EndOfInput
from domain.headless.errors import InvalidInputLine, SessionInterrupted
from domain.loop.agent_loop import TurnResult
from domain.messages.content import TextBlock, Usage
from entrypoints.bootstrap import (
    Run,
    add_structured_output,
    build_control_prompt,
    build_run,
    build_stdio_channel,
    build_turn_interrupter,
    follow_fallback,
    mcp_status_lines,
    print_warnings,
    session_hooks,
)
from entrypoints.config import RunOptions, load_config
from entrypoints.headless import structured
from entrypoints.headless.control_handler import ControlHandler
from entrypoints.print_output import PrintObserver
from entrypoints.startup_gc import resume_collection

if TYPE_CHECKING:
    from adapters.headless.stdio_channel import StdioChannel
    from adapters.headless.turn_interrupt import TurnInterrupter
    from domain.headless.structured_output import StructuredAnswer


def _warn(text: str) -> None:
    sys.stderr.write(f"hexclaw: warning: {text}\n")
    sys.stderr.flush()


def run_stream_session(args: argparse.Namespace) -> int:
    ctx = load_config(args.settings, args.setting_sources)
    answer = structured.structured_answer(args.json_schema)
    observer = PrintObserver(
        "stream-json", sys.stdout, sys.stderr, session_id="", workspace=str(ctx.workspace)
    )
    channel = build_stdio_channel(_warn)
    observer.emit = channel.emit
    interrupter = build_turn_interrupter()
    prompt = None
    if args.permission_prompt_tool == "stdio":
        prompt = build_control_prompt(channel, interrupter)
    run = build_run(ctx, RunOptions.from_args(args, interactive=False), observer, prompt)
    resume_collection()
    print_warnings(ctx)
    loop = run.loop
    observer.session_id = loop.session_id
    if answer is not None:
        add_structured_output(loop, answer)
    interrupter.install()
    channel.start(
        ControlHandler(loop, run.policy, interrupter, _warn, lambda: mcp_status_lines(run)).handle
    )
    hooks = session_hooks(loop)
    if hooks is not None:
        hooks.session_start("resume" if args.resume or args.continue_session else "startup")
    try:
        return _turns(args, ctx.workspace, run, observer, channel, interrupter, answer)
    finally:
        if hooks is not None:
            hooks.session_end("other")


def _turns(
    args: argparse.Namespace,
    workspace: Path,
    run: Run,
    observer: PrintObserver,
    channel: StdioChannel,
    interrupter: TurnInterrupter,
    answer: StructuredAnswer | None,
) -> int:
    """One turn per user message until stdin ends; the exit code."""
    loop = run.loop
    last_failed = False
    while True:
        item = channel.next_message()
        if isinstance(item, EndOfInput):
            return 1 if last_failed else 0
        if isinstance(item, InvalidInputLine):
            raise item
        if args.replay_user_messages:
            observer.replay_user(item.raw)
        observer.start(
            loop.settings.model,
            str(workspace),
            [str(d["name"]) for d in loop.tools.definitions()],
            run.policy.mode,
            mcp_status_lines(run),
        )
        if answer is not None:
            answer.reset()
        if run.checkpoints is not None:
            prompt = "".join(b.text for b in item.content if isinstance(b, TextBlock))
            run.checkpoints.begin_turn(prompt, len(loop.conversation.messages))
        started = time.monotonic()
        result: TurnResult | None = None
        try:
            with interrupter.turn():
                result = loop.run_turn(list(item.content))
        except KeyboardInterrupt:
            # Only in the instant between arming and the loop's own handler: nothing ran.
            if interrupter.external:
                raise
            if result is None:
                result = _nothing_ran()
        duration_ms = int((time.monotonic() - started) * 1000)
        valid = structured.settle(observer, answer, result)
        observer.finish(result, follow_fallback(loop), duration_ms, duration_ms)
        by_client = interrupter.take_client_interrupt()
        if result.subtype == "interrupted" and not by_client:
            raise SessionInterrupted
        last_failed = (result.is_error and result.subtype != "interrupted") or not valid


def _nothing_ran() -> TurnResult:
    return TurnResult(
        subtype="interrupted",
        final_text="",
        stop_reason=None,
        model_calls=0,
        usage=Usage(),
        permission_denials=[],
    )
