"""How a measurement is repeated: warm-up rounds first, then rounds that alternate the subjects.

Alternating hexclaw and its peer within each round spreads a noisy neighbour's load
over both, so the ratio holds on a shared machine even when the absolute times drift.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    runs: int
    warmup: int

    @property
    def label(self) -> str:
        if self.warmup:
            return f"median of {self.runs} runs after {self.warmup} warm-up"
        return f"{self.runs} run{'s' if self.runs != 1 else ''}, no warm-up"


FULL = Plan(runs=11, warmup=1)
QUICK = Plan(runs=1, warmup=0)


def interleave(plan: Plan, subjects: Sequence[Callable[[], T]]) -> list[list[T]]:
    """Each subject's results of the measured rounds, in subject order. Every other round runs
    the subjects in reverse order, so neither always runs first (right after the bench's own
    garbage collection) or always right after the other."""
    results: list[list[T]] = [[] for _ in subjects]
    for round_number in range(plan.warmup + plan.runs):
        order = list(enumerate(subjects))
        if round_number % 2:
            order.reverse()
        for index, subject in order:
            gc.collect()
            value = subject()
            if round_number >= plan.warmup:
                results[index].append(value)
    return results


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def median_of(values: Sequence[T], key: Callable[[T], float]) -> float:
    return median([key(value) for value in values])
