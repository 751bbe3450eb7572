"""Instruction memory: which CLAUDE.md-style files to read, their imports, and the budgets.

The discovery plan: ``<config home>/CLAUDE.md`` first, then for every directory from the
filesystem root down to the working directory its ``CLAUDE.md`` and ``.claude/CLAUDE.md``
(or its ``AGENTS.md`` when neither exists), then its ``CLAUDE.local.md``. Later files are
closer to the work, so they come later in the prompt and win where instructions conflict.

``@path`` in a file's text (outside code) imports another file, relative to the importing
file; imports nest at most ``max_import_depth`` levels and a cycle is reported, not followed.
An import may not leave the folder its chain started from (its ``reach``): a project's file
stays inside its own directory (for the working directory, the workspace), symlinks followed,
so a cloned repository cannot pull ``~/.aws/credentials`` into the prompt; the user's own file
may also reach the config home, where links are the user's own. Nor may an import name a
file a Read deny rule covers (``Read(./.env)`` keeps ``@.env`` out of the prompt), as named or
as its link resolves: the rule would otherwise hold for the tools and not for the prompt.
Every file is cut to the per-file budget and all of them together to the total budget; each
cut leaves a visible note. The result records what was loaded and why, for ``/memory``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from typing import Literal

import attrs

from domain.context.ports import InstructionFileReader
from domain.errors import HexclawError
from domain.repr_base import Record

Kind = Literal["user", "project", "local", "agents", "import"]
Status = Literal["loaded", "cut", "skipped"]

CLAUDE_MD = "CLAUDE.md"
LOCAL_MD = "CLAUDE.local.md"
AGENTS_MD = "AGENTS.md"

# An import is "@" at the start of a line or after whitespace, up to the next unescaped space.
_IMPORT = re.compile(r"(?:^|(?<=\s))@((?:[^\s\\]|\\ )+)")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TRAILING_PUNCTUATION = ".,;:!?)]}\"'"


class UnreadableInstructionFile(HexclawError):
    """An instruction file exists but cannot be read; it is skipped and the reason recorded."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@attrs.frozen(repr=False)
class MemoryBudget(Record):
    per_file_chars: int = 40_000
    total_chars: int = 120_000
    max_import_depth: int = 5


@attrs.frozen(repr=False)
class Reach(Record):
    """A folder the imports of a chain may resolve into; ``follow_links`` trusts the links in it
    (the user's config home) instead of checking where they lead."""

    root: str
    follow_links: bool = False


@attrs.frozen(repr=False)
class Candidate(Record):
    """A file the plan looks for; ``unless_present`` names files that make it unnecessary."""

    path: str
    kind: Kind
    reason: str
    unless_present: tuple[str, ...] = ()
    reach: tuple[Reach, ...] = ()
    """Where it and its imports may be; empty: the file's own directory."""


@attrs.frozen(repr=False)
class MemoryEntry(Record):
    """One file that exists (or was imported), and what became of it."""

    path: str
    kind: Kind
    reason: str
    status: Status
    text: str = ""
    """What goes into the prompt, including the note when the file was cut."""
    chars: int = 0
    original_chars: int = 0
    detail: str = ""
    """Why it was cut or skipped."""
    depth: int = 0
    budget_skip: bool = False
    refused: bool = False
    """An import (or a link) that leaves its chain's reach."""

    @property
    def included(self) -> bool:
        return self.status != "skipped"


@attrs.frozen(repr=False)
class LoadedMemory(Record):
    entries: tuple[MemoryEntry, ...] = ()
    budget: MemoryBudget = MemoryBudget()

    @property
    def included(self) -> tuple[MemoryEntry, ...]:
        return tuple(e for e in self.entries if e.included)

    @property
    def total_chars(self) -> int:
        return sum(e.chars for e in self.entries)

    def budget_notes(self) -> list[str]:
        """Visible notes for files left out because the total budget ran out."""
        return [
            f"[hexclaw: {e.path} was not loaded: {e.detail}.]"
            for e in self.entries
            if e.budget_skip
        ]

    def refusals(self) -> list[str]:
        """One line per file left out because it lies outside the folder allowed to name it."""
        return [
            f"{e.path} was not loaded: {e.detail} ({e.reason})" for e in self.entries if e.refused
        ]


def ancestors(directory: str) -> list[str]:
    """The directory and its parents, from the filesystem root down."""
    path = posixpath.normpath(directory)
    chain = [path]
    while True:
        parent = posixpath.dirname(path)
        if parent == path:
            break
        chain.append(parent)
        path = parent
    return list(reversed(chain))


def discovery_plan(working_directory: str, config_home: str) -> list[Candidate]:
    cwd = posixpath.normpath(working_directory)
    plan = [
        Candidate(
            posixpath.join(config_home, CLAUDE_MD),
            "user",
            "your instructions for every project",
            reach=(Reach(posixpath.normpath(config_home), follow_links=True), Reach(cwd)),
        )
    ]
    for directory in ancestors(cwd):
        where = "the working directory" if directory == cwd else f"{directory}, a parent directory"
        claude = posixpath.join(directory, CLAUDE_MD)
        dot_claude = posixpath.join(directory, ".claude", CLAUDE_MD)
        reach = (Reach(directory),)
        plan += [
            Candidate(claude, "project", f"project instructions in {where}", reach=reach),
            Candidate(dot_claude, "project", f"project instructions in {where}", reach=reach),
            Candidate(
                posixpath.join(directory, AGENTS_MD),
                "agents",
                f"project instructions in {where} (AGENTS.md, as there is no CLAUDE.md)",
                unless_present=(claude, dot_claude),
                reach=reach,
            ),
            Candidate(
                posixpath.join(directory, LOCAL_MD),
                "local",
                f"your private instructions for {where}",
                reach=reach,
            ),
        ]
    return plan


def find_imports(text: str) -> list[tuple[int, str]]:
    """``(line number, target)`` of each ``@path`` outside code blocks and code spans."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _FENCE.match(line)
        if marker:
            if fence is None:
                fence = marker.group(1)
            elif marker.group(1) == fence:
                fence = None
            continue
        if fence is not None:
            continue
        for match in _IMPORT.finditer(_CODE_SPAN.sub(" ", line)):
            target = match.group(1).replace("\\ ", " ").rstrip(_TRAILING_PUNCTUATION)
            if target:
                found.append((number, target))
    return found


def resolve_import(target: str, importing_file: str, home: str | None) -> str | None:
    """The absolute path an import names; None for ``~/`` when no home is known."""
    if target == "~" or target.startswith("~/"):
        if home is None:
            return None
        return posixpath.normpath(posixpath.join(home, target[2:]))
    if posixpath.isabs(target):
        return posixpath.normpath(target)
    return posixpath.normpath(posixpath.join(posixpath.dirname(importing_file), target))


def load_memory(
    plan: Sequence[Candidate],
    reader: InstructionFileReader,
    budget: MemoryBudget | None = None,
    home: str | None = None,
    denied: Callable[[str], bool] | None = None,
) -> LoadedMemory:
    """``denied`` says whether a Read deny rule covers a path; such imports are skipped."""
    loader = _Loader(reader, budget or MemoryBudget(), home, denied)
    for candidate in plan:
        loader.load(candidate)
    return LoadedMemory(tuple(loader.entries), loader.budget)


class _Loader:
    def __init__(
        self,
        reader: InstructionFileReader,
        budget: MemoryBudget,
        home: str | None,
        denied: Callable[[str], bool] | None,
    ):
        self.reader = reader
        self.budget = budget
        self.home = home
        self.denied = denied
        self.entries: list[MemoryEntry] = []
        self.seen: set[str] = set()
        self.used = 0

    def load(self, candidate: Candidate) -> None:
        if candidate.path in self.seen:
            return
        reach = candidate.reach or (Reach(posixpath.dirname(candidate.path)),)
        # The user's own file may be a link into a dotfiles folder; a project's may not.
        if candidate.kind != "user":
            outside = self._outside(candidate.path, reach)
            if outside is not None:
                self.seen.add(candidate.path)
                self._skip(
                    candidate.path, candidate.kind, candidate.reason, outside, 0, refused=True
                )
                return
        text = self._read(candidate.path, candidate.kind, candidate.reason, 0)
        if text is None:
            return
        present = [p for p in candidate.unless_present if p in self.seen]
        if present:
            self._skip(
                candidate.path,
                candidate.kind,
                candidate.reason,
                f"{present[0]} is read instead",
                0,
            )
            return
        self._include(
            candidate.path, candidate.kind, candidate.reason, text, 0, (candidate.path,), reach
        )

    def _outside(self, path: str, reach: tuple[Reach, ...]) -> str | None:
        """Why ``path`` is outside the reach (None: it is inside)."""
        for allowed in reach:
            if not _under(path, allowed.root):
                continue
            if allowed.follow_links:
                return None
            real = self.reader.real_path(path)
            if _under(real, self.reader.real_path(allowed.root)):
                return None
            return f"it is a link to {real}, outside {allowed.root}"
        roots = " or ".join(allowed.root for allowed in reach)
        return f"it is outside {roots}, where this file's imports must stay"

    def _read(self, path: str, kind: Kind, reason: str, depth: int) -> str | None:
        try:
            text = self.reader.text_of(path)
        except UnreadableInstructionFile as exc:
            self.seen.add(path)
            self._skip(path, kind, reason, f"cannot be read: {exc.reason}", depth)
            return None
        if text is not None:
            self.seen.add(path)
        return text

    def _skip(
        self,
        path: str,
        kind: Kind,
        reason: str,
        detail: str,
        depth: int,
        budget_skip: bool = False,
        refused: bool = False,
    ) -> None:
        self.entries.append(
            MemoryEntry(
                path,
                kind,
                reason,
                "skipped",
                detail=detail,
                depth=depth,
                budget_skip=budget_skip,
                refused=refused,
            )
        )

    def _include(
        self,
        path: str,
        kind: Kind,
        reason: str,
        text: str,
        depth: int,
        chain: tuple[str, ...],
        reach: tuple[Reach, ...],
    ) -> None:
        original = len(text)
        room = self.budget.total_chars - self.used
        if room <= 0 and original > 0:
            self._skip(
                path,
                kind,
                reason,
                f"the total budget of {self.budget.total_chars:,} characters was used up",
                depth,
                budget_skip=True,
            )
        else:
            limit = min(self.budget.per_file_chars, room)
            if original <= limit:
                entry = MemoryEntry(path, kind, reason, "loaded", text, original, original)
            else:
                why = (
                    f"the per-file limit is {self.budget.per_file_chars:,} characters"
                    if limit == self.budget.per_file_chars
                    else f"the total budget of {self.budget.total_chars:,} characters ran out"
                )
                kept = _cut(text, limit)
                note = (
                    f"\n\n[hexclaw: this file was cut here; {original - len(kept):,} of "
                    f"{original:,} characters were not loaded because {why}.]"
                )
                entry = MemoryEntry(
                    path, kind, reason, "cut", kept + note, len(kept), original, detail=why
                )
            self.entries.append(attrs.evolve(entry, depth=depth))
            self.used += entry.chars
        for line, target in find_imports(text):
            self._import(path, line, target, depth + 1, chain, reach)

    def _import(
        self,
        parent: str,
        line: int,
        target: str,
        depth: int,
        chain: tuple[str, ...],
        reach: tuple[Reach, ...],
    ) -> None:
        reason = f"imported by {parent}, line {line}"
        resolved = resolve_import(target, parent, self.home)
        if resolved is None:
            self._skip(f"@{target}", "import", reason, "no home directory is known", depth)
            return
        if resolved in chain:
            cycle = " -> ".join((*chain[chain.index(resolved) :], resolved))
            self._skip(resolved, "import", reason, f"import cycle: {cycle}", depth)
            return
        if resolved in self.seen:
            self._skip(resolved, "import", reason, "already loaded above", depth)
            return
        outside = self._outside(resolved, reach)
        if outside is not None:
            self._skip(resolved, "import", reason, outside, depth, refused=True)
            return
        if self.denied is not None and (
            self.denied(resolved) or self.denied(self.reader.real_path(resolved))
        ):
            detail = "a Read deny rule covers it"
            self._skip(resolved, "import", reason, detail, depth, refused=True)
            return
        if depth > self.budget.max_import_depth:
            self._skip(
                resolved,
                "import",
                reason,
                f"imports nest at most {self.budget.max_import_depth} levels deep",
                depth,
            )
            return
        text = self._read(resolved, "import", reason, depth)
        if text is None:
            if resolved not in self.seen:
                self._skip(resolved, "import", reason, "no such file", depth)
            return
        self._include(resolved, "import", reason, text, depth, (*chain, resolved), reach)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending at a line break when one is reasonably close."""
    head = text[:limit]
    newline = head.rfind("\n")
    if newline >= limit // 2:
        return head[: newline + 1]
    return head


def describe_memory(memory: LoadedMemory) -> list[str]:
    """The ``/memory`` listing: every instruction file found, its status and why."""
    if not memory.entries:
        return ["No instruction files were found (CLAUDE.md, CLAUDE.local.md, AGENTS.md)."]
    included = memory.included
    lines = [
        f"Instruction files: {len(included)} loaded, {memory.total_chars:,} of "
        f"{memory.budget.total_chars:,} characters used."
    ]
    for entry in memory.entries:
        indent = "  " * (entry.depth + 1)
        if entry.status == "loaded":
            size = f"{entry.chars:,} characters"
        elif entry.status == "cut":
            size = f"{entry.chars:,} of {entry.original_chars:,} characters, cut: {entry.detail}"
        else:
            size = f"not loaded: {entry.detail}"
        lines.append(f"{indent}[{entry.status}] {entry.path}: {entry.reason}; {size}")
    return lines
