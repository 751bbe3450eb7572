"""What every fuzz target must keep, whatever it is fed: it ends in time (hypothesis'
``deadline`` per example), it raises nothing but hexclaw's typed errors, and its memory
stays within a budget proportional to its input."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from hypothesis import HealthCheck, settings

from domain.errors import HexclawError

T = TypeVar("T")

# A hang is endless, so any finite bound catches it; this one is generous enough that a
# busy shared machine does not turn a slow example into a false alarm.
DEADLINE = timedelta(seconds=5)
# Only the deadline and the health checks are set here: the example count comes from the
# profile (HYPOTHESIS_PROFILE=fuzz raises it for ``make fuzz``).
fuzz_settings = settings(
    deadline=DEADLINE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
BASE_BUDGET = 2 * 1024 * 1024
PER_INPUT_BYTE = 64


def typed_outcome(call: Callable[[], T]) -> T | HexclawError:
    """The call's result or its typed error; any other exception fails the example."""
    try:
        return call()
    except HexclawError as exc:
        return exc


def within_memory(call: Callable[[], T], input_size: int) -> T | HexclawError:
    """``typed_outcome``, failing when the call's peak allocation outgrows its budget."""
    budget = BASE_BUDGET + PER_INPUT_BYTE * input_size
    tracemalloc.start()
    try:
        outcome = typed_outcome(call)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= budget, f"peak {peak} bytes for {input_size} bytes of input"
    return outcome
