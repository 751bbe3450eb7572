"""A yes/no question on the terminal (approving a project's hooks, a command's !`cmd`)."""

from __future__ import annotations

import sys


def ask_yes_no(question: str) -> bool:
    """True only for an explicit yes; end of input, Ctrl-C or anything else is no."""
    answer = ask_line(f"{question} [y/N] ")
    return answer is not None and answer.strip().lower() in ("y", "yes")


def ask_line(question: str) -> str | None:
    """One line typed after ``question``; None at the end of input or on Ctrl-C."""
    try:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from prompt_toolkit import prompt

            return prompt(question)
        sys.stdout.write(question)
        sys.stdout.flush()
        line = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return None
    return line.rstrip("\n") if line else None
