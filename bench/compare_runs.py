"""Turn measured process runs of hexclaw and a peer into a report line.

A run that failed, or whose output shows it did not do the work, gives no number:
the line says why instead, so a broken run is never reported as a fast one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.process_probe import ProcessRun
from bench.report import Line, Target
from bench.sampling import median_of

Check = Callable[[ProcessRun], str | None]


def _succeeded(run: ProcessRun) -> str | None:
    return None if run.ok else run.failure()


@dataclass(frozen=True)
class Side:
    """One side's runs (None when the program could not be run, with the reason)."""

    runs: Sequence[ProcessRun] | None
    problem: str = ""
    check: Check = _succeeded

    def trouble(self) -> str | None:
        if self.runs is None:
            return self.problem or "not run"
        for run in self.runs:
            problem = _succeeded(run) or self.check(run)
            if problem:
                return problem
        return None

    def median(self, value: Callable[[ProcessRun], float]) -> float | None:
        if self.runs is None or self.trouble() is not None:
            return None
        return median_of(self.runs, value)


def wall(run: ProcessRun) -> float:
    return run.wall


def peak_memory(run: ProcessRun) -> float:
    return run.peak_mib


def compare(
    *,
    row: str,
    what: str,
    unit: str,
    value: Callable[[ProcessRun], float],
    ours: Side,
    peer: str,
    theirs: Side,
    target: Target | None,
    command: str,
    note: str = "",
) -> Line:
    notes = [note] if note else []
    if (problem := ours.trouble()) is not None:
        notes.append(f"hexclaw: {problem}")
    if (problem := theirs.trouble()) is not None:
        notes.append(f"{peer}: {problem}")
    return Line(
        row=row,
        what=what,
        unit=unit,
        ours=ours.median(value),
        peer=peer,
        peer_value=theirs.median(value),
        target=target,
        command=command,
        note="; ".join(notes),
        runs=len(ours.runs or ()),
    )


def wall_and_memory(
    *,
    row: str,
    label: str,
    ours: Side,
    peer: str,
    theirs: Side,
    wall_target: float,
    memory_target: float,
    command: str,
    note: str = "",
) -> list[Line]:
    """The two lines of a CLI run: wall time and peak memory, both as fractions of the peer's."""
    quantities = (
        ("wall time", "s", wall, wall_target),
        ("peak memory (process tree)", "MiB", peak_memory, memory_target),
    )
    return [
        compare(
            row=row,
            what=f"{label} {what}",
            unit=unit,
            value=value,
            ours=ours,
            peer=peer,
            theirs=theirs,
            target=Target("at most", bound),
            command=command,
            note=note,
        )
        for what, unit, value, bound in quantities
    ]
