"""How Ctrl-C reaches work running off the main thread.

Python delivers ``KeyboardInterrupt`` to the main thread only. A batch of concurrent calls
(``adapters/tools/concurrent_runs.py``) gives each worker a ``StopSignal``; the main thread
sets it on Ctrl-C, and code running in the worker (a subagent's loop, its model stream, its
questions) checks it at each step and raises ``KeyboardInterrupt`` there itself, so every
subagent settles its own conversation the way an interrupted main loop does.
"""

from __future__ import annotations

import contextvars
import threading


class StopSignal:
    """Set once; a signal made inside a stopped one's batch counts as stopped too."""

    def __init__(self, parent: StopSignal | None = None) -> None:
        self._event = threading.Event()
        self._parent = parent

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.is_set())

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if the work this thread does was told to stop."""
        if self.is_set():
            raise KeyboardInterrupt


_CURRENT: contextvars.ContextVar[StopSignal | None] = contextvars.ContextVar(
    "hexclaw_stop_signal", default=None
)


def current_stop() -> StopSignal | None:
    """The signal of the batch this thread works for; None on the main thread outside one."""
    return _CURRENT.get()


def check_stop() -> None:
    signal = _CURRENT.get()
    if signal is not None:
        signal.check()


def set_current(signal: StopSignal) -> None:
    _CURRENT.set(signal)
