"""Runs a parsed command and turns every error into one line and an exit code."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from domain.errors import HexclawError


class CommandUnavailable(HexclawError):
    exit_code = 2

    def __init__(self, command: str) -> None:
        super().__init__(f"`{command}` is not available in this build; use -p")


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "print":
        from entrypoints.print_mode import run_print

        return run_print(args)
    if args.command == "repl":
        from entrypoints.repl import run_repl

        return run_repl(args)
    if args.command == "sessions":
        from entrypoints.session_commands import run_sessions

        return run_sessions(args)
    if args.command in ("login", "logout", "auth"):
        from entrypoints.auth_commands import run_auth_command

        return run_auth_command(args)
    raise CommandUnavailable(args.command)


def _sigterm_interrupts() -> None:
    """SIGTERM ends a run as Ctrl-C does, so the turn settles and the session stays resumable."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def run_command(args: argparse.Namespace) -> int:
    _sigterm_interrupts()
    try:
        return _dispatch(args)
    except HexclawError as exc:
        _error_line(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error_line("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (``hexclaw -p ... | head``); that is not our failure.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("HEXCLAW_DEBUG"):
            raise
        _error_line(
            f"internal error: {type(exc).__name__}: {exc} (set HEXCLAW_DEBUG=1 for details)"
        )
        return 1


def _error_line(text: str) -> None:
    line = " ".join(text.split())
    sys.stderr.write(f"hexclaw: {line}\n")
    sys.stderr.flush()
