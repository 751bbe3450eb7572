"""The pure rules of checkpoints: what changed between scans, the restore plan, eviction."""

from __future__ import annotations

import pytest

from domain.checkpoints.journal import (
    BeforeImage,
    RecordedChange,
    Turn,
    change_entry,
    evicted_entry,
    read_turns,
    skipped_entry,
    turn_entry,
)
from domain.checkpoints.limits import refused_workspace, size_limit, turns_to_evict
from domain.checkpoints.restore import (
    ChangedOutside,
    NoSuchTurn,
    TurnEvicted,
    checked,
    plan_restore,
)
from domain.checkpoints.snapshot import Change, FileStat, compare


def state(size: int, inode: int = 1, mtime: int = 1, mode: int = 0o644) -> FileStat:
    return FileStat(size=size, mtime_ns=mtime, inode=inode, mode=mode)


def test_compare_names_creations_deletions_modifications_and_renames() -> None:
    before = {"a": state(1, 10), "b": state(2, 11), "old": state(3, 12)}
    after = {"a": state(1, 10, mtime=2), "new": state(3, 12), "c": state(4, 13)}
    changes = compare(before, after)
    assert changes == sorted(changes, key=lambda c: (c.path, c.kind))
    kinds = {(c.kind, c.path, c.renamed_from) for c in changes}
    assert kinds == {
        ("modified", "a", None),
        ("deleted", "b", None),
        ("created", "c", None),
        ("created", "new", "old"),
        ("deleted", "old", None),
    }


def test_a_mode_change_alone_is_a_modification() -> None:
    assert compare({"x": state(1)}, {"x": state(1, mode=0o600)}) == [Change("modified", "x")]


def turns_of(*entries: dict[str, object]) -> list[Turn]:
    return read_turns(list(entries))


def change(turn: int, path: str, blob: str | None, after: FileStat | None) -> dict[str, object]:
    return change_entry(RecordedChange(turn, path, "Bash", BeforeImage(blob, 0o644), after))


def test_the_plan_goes_back_to_the_first_content_recorded_at_or_after_the_target() -> None:
    turns = turns_of(
        turn_entry(1, 0.0, "one", 0),
        change(1, "f", "v0", state(5)),
        change(1, "made", None, state(1, 2)),
        turn_entry(2, 1.0, "two", 2),
        change(2, "f", "v1", state(6)),
        change(2, "made", "m1", None),
    )
    plan = plan_restore(turns, 1, {"f": state(6), "made": None})
    assert [(s.path, s.action, s.before.blob) for s in plan.steps] == [("f", "write", "v0")]
    assert plan.conflicts == ()
    assert plan.messages == 0
    plan = plan_restore(turns, 2, {"f": state(6), "made": None})
    assert [(s.path, s.action, s.before.blob) for s in plan.steps] == [
        ("f", "write", "v1"),
        ("made", "write", "m1"),
    ]
    assert plan.messages == 2


def test_a_file_created_since_the_target_is_deleted_and_one_already_gone_is_left() -> None:
    turns = turns_of(turn_entry(1, 0.0, "one", 0), change(1, "new", None, state(1)))
    assert [s.action for s in plan_restore(turns, 1, {"new": state(1)}).steps] == ["delete"]
    plan = plan_restore(turns, 1, {"new": None})
    assert plan.steps == ()
    assert plan.conflicts == ("new",)


def test_a_state_other_than_the_one_hexclaw_left_is_a_conflict_unless_forced() -> None:
    turns = turns_of(turn_entry(1, 0.0, "one", 0), change(1, "f", "v0", state(5)))
    plan = plan_restore(turns, 1, {"f": state(5, mtime=99)})
    assert plan.conflicts == ("f",)
    with pytest.raises(ChangedOutside, match="--force"):
        checked(plan, force=False)
    assert checked(plan, force=True) is plan


def test_unknown_and_evicted_turns_are_refused_by_name() -> None:
    turns = turns_of(
        turn_entry(1, 0.0, "one", 0),
        change(1, "f", "v0", state(5)),
        turn_entry(2, 0.0, "two", 2),
        evicted_entry([1]),
    )
    with pytest.raises(NoSuchTurn, match="turns 1 to 2"):
        plan_restore(turns, 7, {})
    with pytest.raises(TurnEvicted):
        plan_restore(turns, 1, {})
    assert plan_restore(turns, 2, {}).steps == ()


def test_skipped_files_are_named_as_left_as_they_are() -> None:
    turns = turns_of(turn_entry(1, 0.0, "one", 0), skipped_entry(1, "huge.bin", "too large"))
    assert plan_restore(turns, 1, {}).unrecorded == ("huge.bin",)


def test_a_torn_or_foreign_journal_line_is_passed_over() -> None:
    turns = turns_of(
        turn_entry(1, 0.0, "one", 0),
        {"type": "change", "turn": 1},  # no path
        {"type": "change", "turn": 9, "path": "x"},  # no such turn
        {"type": "something-newer", "turn": 1},
        change(1, "f", "v0", None),
    )
    assert [c.path for c in turns[0].changes] == ["f"]


def test_eviction_drops_the_oldest_turns_but_never_the_newest() -> None:
    turns = turns_of(
        turn_entry(1, 0.0, "", 0),
        change(1, "f", "a", state(1)),
        turn_entry(2, 0.0, "", 0),
        change(2, "f", "b", state(1)),
        turn_entry(3, 0.0, "", 0),
        change(3, "f", "c", state(1)),
    )
    sizes = {"a": 100, "b": 100, "c": 100, "base": 50}
    assert turns_to_evict(turns, sizes, {"base"}, 1000) == []
    assert turns_to_evict(turns, sizes, {"base"}, 200) == [1, 2]
    assert turns_to_evict(turns, sizes, {"base"}, 0) == [1, 2]


def test_home_and_root_are_never_snapshotted() -> None:
    assert refused_workspace("/", "/home/ana") is not None
    assert refused_workspace("/home/ana/", "/home/ana") is not None
    assert refused_workspace("/home/ana/project", "/home/ana") is None


def test_size_limits_take_positive_whole_numbers_only() -> None:
    assert size_limit(10, 5) == 10
    for odd in (0, -1, 1.5, True, "10", None):
        assert size_limit(odd, 5) == 5
