"""Slash commands as text: recognising them, suggesting the nearest one, completing them.

Pure: the REPL hands in the command catalogue and the values an argument can take
(model names, permission modes, session ids); the file system is asked by the caller,
which hands the directory entries back to ``path_completions``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from typing import Literal

import attrs

from domain.repr_base import Record

_COMMAND = re.compile(r"/(?P<name>[^\s/][^\s]*)(?:\s+(?P<args>.*))?\Z", re.DOTALL)

ArgumentKind = Literal["none", "text", "model", "permission_mode", "session_id", "path"]


@attrs.frozen(repr=False)
class CommandSpec(Record):
    name: str
    summary: str
    argument: ArgumentKind = "none"
    argument_hint: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        return f"/{self.name} {self.argument_hint}".rstrip()


@attrs.frozen(repr=False)
class SlashInvocation(Record):
    name: str
    args: str

    @property
    def words(self) -> list[str]:
        return self.args.split()


@attrs.frozen(repr=False)
class Completion(Record):
    """One candidate, in prompt_toolkit's terms: ``start`` is the (negative) offset from the
    cursor where the replaced text begins."""

    text: str
    start: int
    display: str = ""
    meta: str = ""


def parse_slash(line: str) -> SlashInvocation | None:
    """The command on ``line``, or None when the line is a message to the model.

    A first word holding another slash (``/usr/bin/env is missing``) is a path, not a command.
    """
    stripped = line.strip()
    match = _COMMAND.match(stripped)
    if match is None or "/" in match["name"]:
        return None
    return SlashInvocation(name=match["name"].lower(), args=(match["args"] or "").strip())


def find_command(name: str, specs: Sequence[CommandSpec]) -> CommandSpec | None:
    for spec in specs:
        if name == spec.name or name in spec.aliases:
            return spec
    return None


def nearest_command(name: str, specs: Sequence[CommandSpec]) -> str | None:
    """The command the user most likely meant: a unique prefix, else the closest by edits."""
    names = [spec.name for spec in specs]
    everything = [*names, *(alias for spec in specs for alias in spec.aliases)]
    prefixed = [n for n in names if n.startswith(name)]
    if name and len(prefixed) == 1:
        return prefixed[0]
    best: tuple[int, str] | None = None
    for candidate in everything:
        distance = edit_distance(name, candidate)
        if best is None or distance < best[0]:
            best = (distance, candidate)
    if best is None:
        return None
    # Beyond a third of the word the "suggestion" is noise rather than a likely typo.
    limit = max(1, min(3, len(name) // 3 + 1))
    if best[0] > limit:
        return None
    spec = find_command(best[1], specs)
    return spec.name if spec is not None else best[1]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def complete_command_line(
    text_before_cursor: str,
    specs: Sequence[CommandSpec],
    argument_values: Callable[[ArgumentKind], Sequence[str]],
) -> list[Completion]:
    """Candidates for a line that starts with ``/``: command names, then the first argument."""
    if not text_before_cursor.startswith("/") or "\n" in text_before_cursor:
        return []
    head, space, rest = text_before_cursor[1:].partition(" ")
    if not space:
        return [
            Completion(text=f"/{spec.name}", start=-len(text_before_cursor), meta=spec.summary)
            for spec in specs
            if spec.name.startswith(head.lower())
        ]
    spec = find_command(head.lower(), specs)
    if spec is None or " " in rest.lstrip():
        return []
    partial = rest.lstrip()
    values = argument_values(spec.argument)
    return [
        Completion(text=value, start=-len(partial))
        for value in values
        if value.startswith(partial) and value != partial
    ]


def mention_at_cursor(text_before_cursor: str) -> str | None:
    """The partial path of an ``@mention`` being typed at the cursor, without the ``@``."""
    word_start = max(text_before_cursor.rfind(" "), text_before_cursor.rfind("\n")) + 1
    word = text_before_cursor[word_start:]
    if not word.startswith("@"):
        return None
    return word[1:]


def path_completions(partial: str, entries: Sequence[tuple[str, bool]]) -> list[Completion]:
    """Candidates for ``partial`` from the entries (name, is_directory) of its folder.

    Hidden entries are offered only when the typed name starts with a dot; folders end in
    ``/`` so that completing again goes into them.
    """
    folder, typed = posixpath.split(partial)
    prefix = f"{folder}/" if folder else ""
    matches = sorted(
        (name, is_dir)
        for name, is_dir in entries
        if name.startswith(typed) and (typed.startswith(".") or not name.startswith("."))
    )
    return [
        Completion(
            text=prefix + name + ("/" if is_dir else ""),
            start=-len(partial),
            display=name + ("/" if is_dir else ""),
        )
        for name, is_dir in matches
    ]


def mention_folder(partial: str) -> str:
    """The folder whose entries ``path_completions`` needs for ``partial`` ("" = workspace)."""
    return posixpath.split(partial)[0]
