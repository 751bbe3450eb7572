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
    """One side's runs (None when the program could not be run, with the reason): ``runs``
    timed with nothing watching them, ``sampled`` under the memory sampler (for peak memory
    only: the sampling slows what it watches, see ``process_probe``)."""

    runs: Sequence[ProcessRun] | None
    problem: str = ""
    check: Check = _succeeded
    sampled: Sequence[ProcessRun] = ()

    def trouble(self) -> str | None:
        if self.runs is None:
            return self.problem or "not run"
        for run in (*self.runs, *self.sampled):
            problem = _succeeded(run) or self.check(run)
            if problem:
                return problem
        return None

    def median(self, quantity: Quantity) -> float | None:
        runs = self.sampled if quantity.sampled else self.runs
        if not runs or self.trouble() is not None:
            return None
        return median_of(runs, quantity.of)


@dataclass(frozen=True)
class Quantity:
    """What a line reports of each run, in which unit, and from which of a side's runs."""

    name: str
    unit: str
    of: Callable[[ProcessRun], float]
    sampled: bool = False


def _peak_mib(run: ProcessRun) -> float:
    assert run.peak_mib is not None, "peak memory asked of a run that was not sampled"
    return run.peak_mib


WALL = Quantity("wall time", "s", lambda run: run.wall)
PEAK_MEMORY = Quantity("peak memory (process tree)", "MiB", _peak_mib, sampled=True)


def timed_and_sampled(
    measure: Callable[[bool], ProcessRun],
) -> list[Callable[[], ProcessRun]]:
    """A program as two subjects of ``interleave``: a run timed alone, then one sampled for
    its memory (``measure(memory)`` runs it once)."""
    return [lambda: measure(False), lambda: measure(True)]


def sides(
    runs: Sequence[Sequence[ProcessRun]], checks: Sequence[Check], peer_problem: str
) -> tuple[Side, Side]:
    """hexclaw's side and the peer's from ``interleave``'s results of ``timed_and_sampled``
    subjects (hexclaw's two first); the peer's is absent, with its problem, if it was not run."""
    ours = Side(runs[0], check=checks[0], sampled=runs[1])
    if len(runs) < 4:
        return ours, Side(None, peer_problem)
    return ours, Side(runs[2], check=checks[-1], sampled=runs[3])


def compare(
    *,
    row: str,
    what: str,
    quantity: Quantity,
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
        unit=quantity.unit,
        ours=ours.median(quantity),
        peer=peer,
        peer_value=theirs.median(quantity),
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
    return [
        compare(
            row=row,
            what=f"{label} {quantity.name}",
            quantity=quantity,
            ours=ours,
            peer=peer,
            theirs=theirs,
            target=Target("at most", bound),
            command=command,
            note=note,
        )
        for quantity, bound in ((WALL, wall_target), (PEAK_MEMORY, memory_target))
    ]
