"""A yes/no question on the terminal (approving a project's hooks, a command's !`cmd`)."""

from __future__ import annotations

import sys


def ask_yes_no(question: str) -> bool:
    """True only for an explicit yes; end of input, Ctrl-C or anything else is no."""
    try:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from prompt_toolkit import prompt

            answer = prompt(f"{question} [y/N] ")
        else:
            sys.stdout.write(f"{question} [y/N] ")
            sys.stdout.flush()
            answer = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")
