"""The plan that puts the workspace back as it was when a turn started."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import attrs

from domain.checkpoints.journal import BeforeImage, Turn
from domain.checkpoints.snapshot import FileStat
from domain.errors import HexclawError
from domain.repr_base import Record


class RewindError(HexclawError):
    """A rewind that cannot be done; the message says why and what to do."""


class NoSuchTurn(RewindError):
    def __init__(self, turn: int, known: Sequence[int]) -> None:
        listed = f"turns {known[0]} to {known[-1]}" if known else "no turns yet"
        super().__init__(f"turn {turn} is not in this session's checkpoints ({listed})")


class TurnEvicted(RewindError):
    def __init__(self, turn: int) -> None:
        super().__init__(
            f"turn {turn}'s checkpoint was removed to keep the store within checkpointMaxBytes"
        )


class ChangedOutside(RewindError):
    def __init__(self, paths: Sequence[str]) -> None:
        shown = ", ".join(paths[:10]) + (" …" if len(paths) > 10 else "")
        super().__init__(
            f"changed since hexclaw last touched them: {shown}; rewinding would lose those "
            "changes (--force rewinds anyway)"
        )


class NotAFileAnyMore(RewindError):
    def __init__(self, path: str) -> None:
        self.reason = "a symbolic link or a folder is there now"
        super().__init__(f"{path}: {self.reason}; not replaced")
        self.path = path


Action = Literal["write", "delete"]


@attrs.frozen(repr=False)
class RestoreStep(Record):
    path: str
    action: Action
    before: BeforeImage
    """For ``write``: the content (blob) and mode to put back."""


@attrs.frozen(repr=False)
class RestorePlan(Record):
    target: int
    steps: tuple[RestoreStep, ...]
    conflicts: tuple[str, ...]
    """Paths someone else changed since hexclaw's last change to them."""
    unrecorded: tuple[str, ...]
    """Paths changed in these turns whose content was not kept (too large): left as they are."""
    messages: int
    """How many conversation messages come before the target turn's prompt."""


@attrs.frozen(repr=False)
class NotRestored(Record):
    """A step of the plan left undone, and why (a symlinked folder on the way, say)."""

    path: str
    action: Action
    reason: str

    def line(self) -> str:
        verb = "not deleted" if self.action == "delete" else "not restored"
        return f"{verb}: {self.path} ({self.reason}); left as it is"


@attrs.frozen(repr=False)
class Restored(Record):
    plan: RestorePlan
    not_restored: tuple[NotRestored, ...]


def plan_restore(
    turns: Sequence[Turn], target: int, current: Mapping[str, FileStat | None]
) -> RestorePlan:
    """Every file changed in turn ``target`` or later goes back to its content when ``target``
    started. ``current`` holds the present state of each of those paths (None: absent)."""
    numbers = [t.number for t in turns]
    chosen = next((t for t in turns if t.number == target), None)
    if chosen is None:
        raise NoSuchTurn(target, numbers)
    later = [t for t in turns if t.number >= target]
    if any(t.evicted for t in later):
        raise TurnEvicted(next(t.number for t in later if t.evicted))
    first: dict[str, BeforeImage] = {}
    last_after: dict[str, FileStat | None] = {}
    for turn in later:
        for change in turn.changes:
            first.setdefault(change.path, change.before)
            last_after[change.path] = change.after
    steps: list[RestoreStep] = []
    conflicts: list[str] = []
    for path in sorted(first):
        now = current.get(path)
        if now != last_after[path]:
            conflicts.append(path)
        wanted = first[path]
        if wanted.blob is None:
            if now is not None:
                steps.append(RestoreStep(path, "delete", wanted))
        else:
            steps.append(RestoreStep(path, "write", wanted))
    unrecorded = sorted({path for t in later for path, _ in t.skipped} - set(first))
    return RestorePlan(
        target=target,
        steps=tuple(steps),
        conflicts=tuple(conflicts),
        unrecorded=tuple(unrecorded),
        messages=chosen.messages,
    )


def checked(plan: RestorePlan, force: bool) -> RestorePlan:
    if plan.conflicts and not force:
        raise ChangedOutside(plan.conflicts)
    return plan
