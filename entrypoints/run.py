"""Runs a parsed command and turns every error into one line and an exit code."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from domain.errors import HexclawError
from entrypoints import say
from entrypoints.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "print":
        from entrypoints.print_mode import run_print

        return run_print(args)
    if args.command == "repl":
        from entrypoints.repl.session import run_repl

        return run_repl(args)
    if args.command == "rewind":
        from entrypoints.rewind_commands import run_rewind

        return run_rewind(args)
    if args.command == "doctor":
        from entrypoints.doctor import run_doctor

        return run_doctor(args)
    if args.command == "sessions":
        from entrypoints.session_commands import run_sessions

        return run_sessions(args)
    if args.command == "trust":
        from entrypoints.trust_commands import run_trust

        return run_trust(args)
    if args.command == "mcp":
        from entrypoints.mcp_commands import run_mcp

        return run_mcp(args)
    if args.command == "permissions":
        from entrypoints.headless.explain_command import run_explain

        return run_explain(args)
    # The parser knows no other command: login, logout or auth.
    from entrypoints.auth_commands import run_auth_command

    return run_auth_command(args)


class _Termination:
    """SIGTERM ends a run as Ctrl-C does, so the turn settles and the session stays resumable;
    only the exit code tells them apart (143, not 130), as a shell would."""

    def __init__(self) -> None:
        self.received = False

    def install(self) -> None:
        def interrupt(_signum: int, _frame: object) -> None:
            self.received = True
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)

    def exit_code(self, code: int) -> int:
        return EXIT_TERMINATED if self.received and code == EXIT_INTERRUPTED else code


def run_command(args: argparse.Namespace) -> int:
    termination = _Termination()
    termination.install()
    try:
        return _dispatch(args)
    except HexclawError as exc:
        _error_line(str(exc))
        return termination.exit_code(exc.exit_code)
    except KeyboardInterrupt:
        _error_line("interrupted")
        return termination.exit_code(EXIT_INTERRUPTED)
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
    # An API or proxy message is quoted in errors: its escape sequences must not act.
    say.error(text)
