"""hexclaw's command line: parses arguments and hands off to the right entry point.

Only the standard library is imported here, so ``--version`` and ``--help`` stay
instant; each command imports what it needs when it runs.
"""

from __future__ import annotations

import gc
import sys

from domain.version import VERSION
from entrypoints.exit_codes import EXIT_INTERRUPTED, EXIT_USAGE

# Not typing.TYPE_CHECKING: importing typing alone costs --version a few milliseconds.
TYPE_CHECKING = False

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

# 130 and 143 are what a shell reports for a program that SIGINT or SIGTERM ended (128 + n).
OUTPUT_FORMATS = ("text", "json", "stream-json")
SUBCOMMANDS = (
    "login",
    "logout",
    "auth",
    "sessions",
    "rewind",
    "doctor",
    "trust",
    "permissions",
    "mcp",
)


class UsageError(Exception):
    """Bad command-line input: exit 2 with one line."""


def _parser(prog: str) -> argparse.ArgumentParser:
    # argparse (and the typing machinery it pulls in) loads only when there is parsing to do.
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(f"{message} (see `hexclaw --help`)")

    return _Parser(prog=prog)


def build_parser() -> argparse.ArgumentParser:
    from domain.permission_modes import PERMISSION_MODES

    parser = _parser("hexclaw")
    parser.description = (
        "An agentic coding assistant in your terminal. With no prompt, opens the "
        "REPL; with -p, answers once and exits."
    )
    parser.epilog = (
        "Commands: login, logout, auth status, sessions, rewind, doctor, trust, mcp. "
        "Credentials: ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, or `hexclaw login`."
    )
    parser.add_argument("prompt", nargs="?", help="the first prompt (with -p: the only one)")
    parser.add_argument("-p", "--print", action="store_true", help="answer once and exit")
    parser.add_argument("-v", "--version", action="version", version=f"{VERSION} (hexclaw)")
    parser.add_argument("--output-format", choices=OUTPUT_FORMATS, default="text", help="-p output")
    parser.add_argument("--model", help="model name (default: ANTHROPIC_MODEL or settings)")
    parser.add_argument("--max-tokens", type=_positive_int, help="output token limit per call")
    parser.add_argument(
        "--max-turns", type=_positive_int, help="model calls per user turn (default 50)"
    )
    parser.add_argument("--permission-mode", choices=PERMISSION_MODES)
    parser.add_argument(
        "--dangerously-skip-permissions",
        action="store_true",
        help="same as --permission-mode bypassPermissions",
    )
    parser.add_argument(
        "--allowedTools",
        "--allowed-tools",
        dest="allowed_tools",
        action="append",
        default=[],
        metavar="RULES",
        help='tools allowed without asking, e.g. "Bash(git diff:*)" Edit',
    )
    parser.add_argument(
        "--disallowedTools",
        "--disallowed-tools",
        dest="disallowed_tools",
        action="append",
        default=[],
        metavar="RULES",
        help="tools always denied",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run Bash in the OS sandbox (bubblewrap) for this run",
    )
    parser.add_argument(
        "-c",
        "--continue",
        dest="continue_session",
        action="store_true",
        help="resume the newest session of this folder",
    )
    parser.add_argument("-r", "--resume", metavar="ID", help="resume the session with this id")
    parser.add_argument("--settings", metavar="FILE", help="one more settings.json layer")
    parser.add_argument("--system-prompt", help="replace the system prompt")
    parser.add_argument("--append-system-prompt", help="add to the system prompt")
    parser.add_argument(
        "--agents",
        metavar="JSON",
        help='subagent types for this run: {"name": {"description": ..., "prompt": ..., '
        '"tools": [...], "model": "sonnet"}}',
    )
    parser.add_argument("--no-color", action="store_true", help="plain output, no colour")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="with -p text output: each tool call and its result on stderr",
    )
    parser.add_argument(
        "--no-session-persistence", action="store_true", help="do not save this session"
    )
    parser.add_argument("--record", metavar="FILE", help="save the HTTP traffic as a cassette")
    parser.add_argument("--replay", metavar="FILE", help="answer API calls from a cassette")
    from entrypoints.headless.arguments import add_headless_arguments
    from entrypoints.reasoning_options import add_reasoning_arguments

    add_headless_arguments(parser)
    add_reasoning_arguments(parser)
    from entrypoints.mcp_arguments import add_mcp_config_arguments

    add_mcp_config_arguments(parser)
    return parser


def build_subcommand_parser(name: str) -> argparse.ArgumentParser:
    parser = _parser(f"hexclaw {name}")
    if name == "login":
        parser.description = "Log in with OAuth (authorization code + PKCE) in your browser."
        parser.add_argument("--no-browser", action="store_true", help="only print the URL")
        parser.add_argument(
            "--manual", action="store_true", help="paste the code instead of a loopback callback"
        )
        parser.add_argument("--port", type=_port, help="loopback callback port")
    elif name == "logout":
        parser.description = "Remove the stored OAuth credentials (nothing else)."
    elif name == "auth":
        parser.description = "Show which credentials hexclaw would use."
        parser.add_argument("action", choices=("status",))
    elif name == "sessions":
        parser.description = "List the saved sessions of this folder."
    elif name == "rewind":
        parser.description = (
            "List a session's checkpoints, or put its files and conversation back as they "
            "were when turn N started."
        )
        parser.add_argument("turn", nargs="?", type=_positive_int, help="the turn (see --list)")
        parser.add_argument("--list", action="store_true", help="list the turns")
        parser.add_argument("--session", metavar="ID", help="a session of this folder (newest)")
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--code", dest="what", action="store_const", const="code")
        what.add_argument("--conversation", dest="what", action="store_const", const="conversation")
        what.add_argument("--both", dest="what", action="store_const", const="both")
        parser.set_defaults(what="both")
        parser.add_argument("--yes", action="store_true", help="do not ask first")
        parser.add_argument("--force", action="store_true", help="rewind files changed since, too")
    elif name == "doctor":
        parser.description = "Check the sandbox, ripgrep, config home, credentials and settings."
    elif name == "trust":
        parser.description = (
            "Approvals of what a project brings that can run code (hooks, commands with "
            "!`cmd`, .mcp.json servers, skill scripts, agents' permissionMode), each pinned "
            "to its exact content."
        )
        parser.add_argument("action", choices=("list", "approve", "revoke"))
        parser.add_argument(
            "path",
            nargs="?",
            help="a project folder, or one file in it (approve: required; revoke: default .)",
        )
    elif name == "permissions":
        from entrypoints.headless.explain_command import add_explain_arguments

        add_explain_arguments(parser)
    parser.add_argument("--settings", metavar="FILE", help="one more settings.json layer")
    return parser


def _positive_int(raw: str) -> int:
    import argparse

    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {raw!r}")
    return value


def _port(raw: str) -> int:
    import argparse

    value = _positive_int(raw)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {raw!r}")
    return value


def parse(argv: Sequence[str]) -> argparse.Namespace:
    if argv and argv[0] == "mcp":
        from entrypoints.mcp_arguments import McpArgumentError, parse_mcp

        try:
            args = parse_mcp(argv[1:])
        except McpArgumentError as exc:
            raise UsageError(str(exc)) from None
        args.command = "mcp"
        return args
    if argv and argv[0] in SUBCOMMANDS:
        args = build_subcommand_parser(argv[0]).parse_args(argv[1:])
        args.command = argv[0]
        return args
    args = build_parser().parse_args(argv)
    args.command = "print" if args.print else "repl"
    if args.dangerously_skip_permissions:
        args.permission_mode = "bypassPermissions"
    from entrypoints.headless.arguments import check_headless_arguments

    problem = check_headless_arguments(args)
    if problem is not None:
        raise UsageError(f"{problem} (see `hexclaw --help`)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-v"]):
        # The one answer that needs nothing loaded: not even argparse.
        try:
            sys.stdout.write(f"{VERSION} (hexclaw)\n")
        except OSError as exc:
            return _unwritable(exc)
        return 0
    try:
        args = parse(argv)
    except UsageError as exc:
        # Arguments are quoted in usage errors; the CLI must stay light, so the sanitiser is
        # the domain's, imported here.
        from domain.display.terminal_safety import printable

        print(f"hexclaw: {' '.join(printable(str(exc)).split())}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from entrypoints.run import run_command
    except KeyboardInterrupt:
        # Ctrl-C while the heavy modules load: still one line, never a traceback.
        print("hexclaw: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run_command(args)


def run() -> NoReturn:
    """The program: ``main`` with the process's arguments, then exit with its code."""
    from entrypoints.startup_gc import pause_collection

    pause_collection()
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """What the interpreter does at exit that anybody sees, then the exit itself: the
    non-daemon threads joined, the ``atexit`` handlers run (MCP servers and sandboxes
    stopped), standard output and error flushed. The rest of the interpreter's teardown
    (every module and object freed) is skipped: 10-20 ms of each run with nothing to show
    for it. Nothing is lost by that: hexclaw writes its files with ``os.write`` and
    closes them itself (sessions are synced line by line), so no buffer waits for a
    finaliser."""
    import atexit
    import os
    import threading

    # The teardown's garbage collection would not run, nor should one in the handlers.
    gc.freeze()
    try:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED  # Ctrl-C while a thread finishes: it is not waited for
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader went away (``hexclaw -p ... | head``): not our failure
        except (OSError, ValueError) as exc:
            code = _unwritable(exc)
    os._exit(code)


def _unwritable(exc: OSError | ValueError) -> int:
    """Output that cannot be written (a full disk, a closed stream): one line on stderr, and
    the interpreter's own exit status for it."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    try:
        sys.stderr.write(f"hexclaw: cannot write the output: {reason}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return 120


if __name__ == "__main__":
    run()
