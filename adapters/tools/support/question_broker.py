"""Permission questions from worker threads, asked one at a time on the main thread.

A subagent running in a concurrent batch may need to ask the user; the terminal (and Ctrl-C)
belong to the main thread. A worker hands its question to the broker and waits; the main
thread, while it waits for the batch, asks the queued questions in turn. On the main thread
itself a question is simply asked.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from adapters.tools.support.stop_signal import check_stop

T = TypeVar("T")
POLL_SECONDS = 0.05


class _Pending(Generic[T]):
    def __init__(self, ask: Callable[[], T]) -> None:
        self.ask = ask
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class QuestionBroker:
    def __init__(self) -> None:
        # None wakes the serving thread without a question (a batch finished).
        self._queue: queue.Queue[_Pending[object] | None] = queue.Queue()
        # One question on screen at a time, whichever thread serves it. Re-entrant: a nested
        # subagent's question is served by a main thread already inside ``serve``.
        self._asking = threading.RLock()

    def ask(self, question: Callable[[], T]) -> T:
        """The answer to ``question``, asked on the main thread; a worker told to stop gets
        ``KeyboardInterrupt`` instead of waiting on."""
        if threading.current_thread() is threading.main_thread():
            with self._asking:
                return question()
        pending: _Pending[T] = _Pending(question)
        self._queue.put(pending)  # type: ignore[arg-type]
        while not pending.done.wait(POLL_SECONDS):
            check_stop()
        if pending.error is not None:
            raise pending.error
        return pending.value  # type: ignore[return-value]

    def serve(self, timeout: float) -> None:
        """Ask the next waiting question, if one comes within ``timeout`` (main thread)."""
        try:
            pending = self._queue.get(timeout=timeout)
        except queue.Empty:
            return
        if pending is None:
            return
        try:
            with self._asking:
                pending.value = pending.ask()
        except BaseException as exc:
            pending.error = exc if isinstance(exc, Exception) else KeyboardInterrupt()
            pending.done.set()
            if not isinstance(exc, Exception):
                raise  # Ctrl-C in the question stops the whole batch
            return
        pending.done.set()

    def wake(self) -> None:
        """End a ``serve`` that is waiting now, so its caller looks again at once."""
        self._queue.put(None)

    def refuse_waiting(self) -> None:
        """After Ctrl-C: every queued question is answered with the interruption."""
        while True:
            try:
                pending = self._queue.get_nowait()
            except queue.Empty:
                return
            if pending is None:
                continue
            pending.error = KeyboardInterrupt()
            pending.done.set()
