"""``hexclaw -p``: one prompt, streamed answer, exit."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from domain.errors import HexclawError
from entrypoints.config import Config, RunOptions, load_config
from entrypoints.startup_gc import resume_collection

if TYPE_CHECKING:
    # Imported in run_print, once the MCP servers are started: their start overlaps it.
    from domain.messages.content import ContentBlock
    from entrypoints.bootstrap import Run


class Interrupted(HexclawError):
    exit_code = 130

    def __init__(self) -> None:
        super().__init__("interrupted")


class PromptMissing(HexclawError):
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("-p needs a prompt: an argument or text on standard input")


def read_prompt(args: argparse.Namespace, stdin: BinaryIO | None = None) -> str:
    """The prompt argument, with piped standard input (if any) in front of it."""
    prompt = args.prompt or ""
    piped = ""
    if stdin is None and sys.stdin is not None and not sys.stdin.isatty():
        stdin = sys.stdin.buffer
    if stdin is not None:
        # Piped input is whatever the user had (a diff, a log): undecodable bytes must
        # not turn into a crash, so they become U+FFFD.
        piped = stdin.read().decode("utf-8", errors="replace").removeprefix("\ufeff")
    if piped.strip() and prompt.strip():
        return f"{piped.rstrip()}\n\n{prompt}"
    if piped.strip():
        return piped
    if not prompt.strip():
        raise PromptMissing
    return prompt


def prompt_with_attachments(
    ctx: Config, run: Run, prompt: str, notice: Callable[[str], None]
) -> list[ContentBlock]:
    """The prompt, then the files its ``@path`` mentions and pasted image paths name, judged
    by the Read rules as in the REPL (what would be asked about is left out, with a note)."""
    from adapters.files.mention_files import read_attachments
    from domain.context.file_mentions import prompt_content
    from entrypoints.bootstrap import mention_check

    attachments, notes = read_attachments(ctx.workspace, prompt, mention_check(ctx, run.policy))
    for note in notes:
        notice(note)
    return prompt_content(prompt, attachments)


def tools_opted_in(ctx: Config, options: RunOptions) -> bool:
    """Whether this run offers tools, as ``build_tools`` decides it for print mode."""
    from domain.permissions.choices import PolicyChoices, tools_opted_in

    choices = PolicyChoices(
        options.permission_mode, options.allowed_tools, options.disallowed_tools
    )
    return options.permission_prompt_tool is not None or tools_opted_in(ctx.settings, choices)


def run_print(args: argparse.Namespace) -> int:
    if args.input_format == "stream-json":
        from entrypoints.headless.stream_session import run_stream_session

        return run_stream_session(args)
    prompt = read_prompt(args)
    ctx = load_config(args.settings, args.setting_sources)
    options = RunOptions.from_args(args, interactive=False)
    early = tools_opted_in(ctx, options)
    if early:
        # Only a run that offers tools starts MCP servers (build_mcp): nothing of MCP is
        # imported for the others.
        from entrypoints.mcp_setup import prestart

        prestart(ctx, options)
    from entrypoints.bootstrap import (
        add_structured_output,
        build_run,
        follow_fallback,
        mcp_status_lines,
        print_warnings,
        session_hooks,
    )
    from entrypoints.print_output import PrintObserver

    answer = None
    if args.json_schema is not None:
        # Only --json-schema needs the structured answer (and later the jsonschema library).
        from entrypoints.headless.structured import settle, structured_answer

        answer = structured_answer(args.json_schema)
    observer = PrintObserver(
        args.output_format,
        sys.stdout,
        sys.stderr,
        session_id="",
        verbose=args.verbose,
        workspace=str(ctx.workspace),
    )
    run = build_run(ctx, options, observer, None)
    resume_collection()
    if early:
        from entrypoints.mcp_setup import stop_unadopted

        stop_unadopted()
    print_warnings(ctx)
    loop = run.loop
    observer.session_id = loop.session_id
    if answer is not None:
        add_structured_output(loop, answer)
    observer.start(
        loop.settings.model,
        str(ctx.workspace),
        [d["name"] for d in loop.tools.definitions()],
        run.policy.mode,
        mcp_status_lines(run),
    )
    started = time.monotonic()
    hooks = session_hooks(loop)
    if hooks is not None:
        hooks.session_start("resume" if args.resume or args.continue_session else "startup")
    content: list[ContentBlock] | None = None
    if prompt.startswith("/"):
        from entrypoints.custom_commands import expand_prompt
        from entrypoints.repl.commands import REGISTRY

        builtin = {n for spec in REGISTRY.specs for n in (spec.name, *spec.aliases)}
        content = expand_prompt(ctx, run, prompt, observer.on_notice, builtin)
    if content is None:
        content = prompt_with_attachments(ctx, run, prompt, observer.on_notice)
    if run.checkpoints is not None:
        run.checkpoints.begin_turn(prompt, len(loop.conversation.messages))
    try:
        result = loop.run_turn(content)
    finally:
        if hooks is not None:
            hooks.session_end("other")
    duration_ms = int((time.monotonic() - started) * 1000)
    valid = answer is None or settle(observer, answer, result)
    observer.finish(result, follow_fallback(loop), duration_ms, duration_ms)
    if result.subtype == "interrupted":
        raise Interrupted
    if isinstance(result.error, HexclawError):
        raise result.error
    if not valid and answer is not None:
        from domain.headless.errors import StructuredOutputFailed

        raise StructuredOutputFailed(answer.last_error)
    return 1 if result.is_error else 0
