"""The headless flags (Claude Code's names) and the checks between them.

Standard library only: this runs whenever the main parser is built.
"""

from __future__ import annotations

import argparse
import math

INPUT_FORMATS = ("text", "stream-json")
SETTING_SOURCES = ("user", "project", "local")


def add_headless_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="text",
        help="-p input: stream-json reads one JSON message per line, a turn each",
    )
    parser.add_argument(
        "--include-partial-messages",
        action="store_true",
        help="with stream-json output: the API's stream events as they arrive",
    )
    parser.add_argument(
        "--replay-user-messages",
        action="store_true",
        help="with stream-json input and output: echo each user message on stdout",
    )
    parser.add_argument(
        "--json-schema",
        metavar="SCHEMA",
        help="a JSON Schema (file or inline JSON) the final answer must match",
    )
    parser.add_argument(
        "--max-budget-usd",
        type=_budget,
        metavar="USD",
        help="stop before a model call that would take the run past this cost",
    )
    parser.add_argument(
        "--fallback-model", metavar="MODEL", help="continue on this model when overloaded"
    )
    parser.add_argument("--session-id", type=_uuid, metavar="UUID", help="id for a new session")
    parser.add_argument(
        "--fork-session",
        action="store_true",
        help="with --resume/--continue: continue in a new session, leaving the old one as is",
    )
    parser.add_argument(
        "--add-dir",
        dest="add_dirs",
        action="extend",
        nargs="+",
        default=[],
        metavar="DIR",
        help="more folders the tools may use, as additionalDirectories",
    )
    parser.add_argument(
        "--setting-sources",
        type=_sources,
        metavar="SOURCES",
        help="which settings files to read: a comma list of user, project, local",
    )
    parser.add_argument(
        "--permission-prompt-tool",
        metavar="TOOL",
        help="-p: who answers permission questions (stdio: the stream-json client)",
    )


def check_headless_arguments(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of flags, or None."""
    stream_in = args.input_format == "stream-json"
    stream_out = args.output_format == "stream-json"
    if stream_in and not args.print:
        return "--input-format stream-json needs -p"
    if stream_in and not stream_out:
        return "--input-format stream-json needs --output-format stream-json"
    if stream_in and args.prompt:
        return "--input-format stream-json reads the prompts from stdin: drop the prompt argument"
    if args.include_partial_messages and not (args.print and stream_out):
        return "--include-partial-messages needs -p --output-format stream-json"
    if args.replay_user_messages and not stream_in:
        return "--replay-user-messages needs --input-format stream-json"
    if args.fork_session and not (args.resume or args.continue_session):
        return "--fork-session needs --resume or --continue"
    if args.session_id and (args.resume or args.continue_session) and not args.fork_session:
        return "--session-id names a new session: with --resume/--continue it needs --fork-session"
    if args.permission_prompt_tool is not None:
        if not args.print:
            return "--permission-prompt-tool needs -p"
        if args.permission_prompt_tool == "stdio" and not stream_in:
            return "--permission-prompt-tool stdio needs --input-format stream-json"
        if args.permission_prompt_tool != "stdio" and not _names_an_mcp_tool(
            args.permission_prompt_tool
        ):
            return (
                f"--permission-prompt-tool {args.permission_prompt_tool}: give 'stdio' or an "
                "MCP tool as mcp__server__tool"
            )
    if args.json_schema is not None and not args.print:
        return "--json-schema needs -p"
    return None


def _names_an_mcp_tool(name: str) -> bool:
    server, _, tool = name.removeprefix("mcp__").partition("__")
    return name.startswith("mcp__") and bool(server) and bool(tool)


def _budget(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"not an amount above zero: {raw!r}")
    return value


def _uuid(raw: str) -> str:
    import uuid  # only with --session-id: uuid loads platform

    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UUID: {raw!r}") from None


def _sources(raw: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [n for n in names if n not in SETTING_SOURCES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown setting source {unknown[0]!r}; use {', '.join(SETTING_SOURCES)}"
        )
    return names
