"""Splitting a shell command line into the simple commands that permission rules judge.

``Bash(git diff:*)`` must not allow ``git diff && rm -rf ~``: a command line is cut at its
control operators (``&&``, ``||``, ``;``, ``|``, ``&``, newlines, subshell parentheses)
outside quotes, and each piece is judged on its own. What cannot be judged by its text
(command or process substitution) is marked ``dynamic``; a redirection to a file is
marked ``writes_files``. This is a conservative reading, not a shell parser: when in
doubt, a piece is left for the user to approve.
"""

from __future__ import annotations

import re

import attrs

_HARMLESS_REDIRECT = re.compile(r"\d*>&\d+|\d*>&-|&?\d*>+\s*/dev/null|\d*<\s*/dev/null")


@attrs.frozen
class SimpleCommand:
    text: str
    writes_files: bool = False


@attrs.frozen
class CommandLine:
    commands: tuple[SimpleCommand, ...]
    dynamic: bool

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.commands)


def normalize(command: str) -> str:
    return " ".join(command.split())


def parse_command_line(command: str) -> CommandLine:
    parts: list[SimpleCommand] = []
    current: list[str] = []
    writes = False
    dynamic = False
    quote: str | None = None
    i, n = 0, len(command)

    def cut() -> None:
        nonlocal writes
        text = normalize("".join(current))
        if text:
            parts.append(SimpleCommand(text, writes))
        current.clear()
        writes = False

    while i < n:
        char = command[i]
        if quote == "'":
            current.append(char)
            if char == "'":
                quote = None
            i += 1
            continue
        if char == "\\" and i + 1 < n:
            current.append(command[i : i + 2])
            i += 2
            continue
        if quote == '"':
            if char == '"':
                quote = None
            elif char == "`" or command.startswith("$(", i):
                dynamic = True
            current.append(char)
            i += 1
            continue
        if char in "'\"":
            quote = char
            current.append(char)
            i += 1
            continue
        if command.startswith(("$(", "<(", ">("), i):
            dynamic = True
            cut()
            i += 2
            continue
        if char == "`":
            dynamic = True
            cut()
            i += 1
            continue
        if char in "<>" or command.startswith("&>", i):
            harmless = _HARMLESS_REDIRECT.match(command, i)
            if harmless is not None:
                current.append(harmless.group(0))
                i = harmless.end()
                continue
            if char == ">" or command.startswith("&>", i):
                writes = True
            current.append(char)
            i += 1
            continue
        if char in ";|&\n()":
            cut()
            i += 1
            continue
        current.append(char)
        i += 1
    cut()
    return CommandLine(tuple(parts), dynamic)
