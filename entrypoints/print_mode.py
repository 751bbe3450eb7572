"""``hexclaw -p``: one prompt, streamed answer, exit."""

from __future__ import annotations

import argparse
import sys
import time
import uuid

from domain.errors import HexclawError
from domain.messages import TextBlock
from entrypoints.bootstrap import RunOptions, build_loop, load_context
from entrypoints.print_output import PrintObserver


class PromptMissing(HexclawError):
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("-p needs a prompt: an argument or text on standard input")


def read_prompt(args: argparse.Namespace) -> str:
    prompt = args.prompt or ""
    piped = ""
    if not sys.stdin.isatty():
        piped = sys.stdin.read()
    if piped.strip() and prompt:
        return f"{piped.rstrip()}\n\n{prompt}"
    if piped.strip():
        return piped
    if not prompt.strip():
        raise PromptMissing
    return prompt


def run_print(args: argparse.Namespace) -> int:
    prompt = read_prompt(args)
    ctx = load_context(args.settings)
    session_id = str(uuid.uuid4())
    observer = PrintObserver(args.output_format, sys.stdout, sys.stderr, session_id)
    loop = build_loop(ctx, RunOptions.from_args(args, interactive=False), observer, None)
    observer.start(
        loop.settings.model,
        str(ctx.workspace),
        [d["name"] for d in loop.tools.definitions()],
        args.permission_mode or "default",
    )
    started = time.monotonic()
    result = loop.run_turn([TextBlock(text=prompt)])
    duration_ms = int((time.monotonic() - started) * 1000)
    observer.finish(result, loop.settings.model, duration_ms, duration_ms)
    if result.subtype == "interrupted":
        return 130
    if result.error is not None:
        if args.output_format == "text":
            raise result.error
        print(f"hexclaw: {result.error}", file=sys.stderr)
        return 1
    return 1 if result.is_error else 0
