"""Ending the running turn from another thread, as Ctrl-C ends it in a terminal.

The agent loop settles a turn on ``KeyboardInterrupt`` wherever it is (streaming, running a
tool, waiting for a permission answer). A real SIGINT sent to the main thread is the one way
to raise it there that also cuts a blocking read short, so ``request`` sends one with
``pthread_kill``. The handler raises only while a turn is armed, and only once per request,
so an interrupt that arrives just after a turn ended does nothing; a SIGINT from outside (the
parent process, a terminal) still interrupts and is remembered, so the session can end.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TurnInterrupter:
    def __init__(self) -> None:
        # Re-entrant: the handler runs on the main thread, which may hold it in turn().
        self._lock = threading.RLock()
        self._armed = False
        self._requested = False
        self._by_client = False
        self.external = False
        self._main = threading.main_thread().ident

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """While this block runs, ``request`` interrupts it."""
        with self._lock:
            self._armed = True
        try:
            yield
        finally:
            with self._lock:
                self._armed = False

    def request(self) -> bool:
        """Interrupt the running turn; False when none is running."""
        with self._lock:
            if not self._armed or self._main is None:
                return False
            self._requested = True
        signal.pthread_kill(self._main, signal.SIGINT)
        return True

    def note_client_interrupt(self) -> None:
        """The client ended the turn another way (a permission denial with ``interrupt``)."""
        with self._lock:
            self._by_client = True

    def take_client_interrupt(self) -> bool:
        """Whether the client interrupted the last turn (and forget it)."""
        with self._lock:
            by_client, self._by_client = self._by_client, False
        return by_client

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        with self._lock:
            requested, self._requested = self._requested, False
            armed = self._armed
            if requested and armed:
                self._armed = False
                self._by_client = True
        if requested:
            if armed:
                raise KeyboardInterrupt
            return
        self.external = True
        raise KeyboardInterrupt
