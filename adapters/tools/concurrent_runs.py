"""``ThreadedScheduler``: the ``ToolScheduler`` that runs a batch of calls on worker threads.

At most ``max_workers`` calls run at once (daemon threads: a worker stuck on the network
never keeps hexclaw from exiting). The main thread waits for the batch while asking the
questions its workers queue (``QuestionBroker``); on Ctrl-C it sets the batch's
``StopSignal``, gives the workers a moment to settle, and raises ``BatchInterrupted`` with
what finished.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence

from adapters.tools.registry import ToolRegistry
from adapters.tools.support.question_broker import POLL_SECONDS, QuestionBroker
from adapters.tools.support.stop_signal import StopSignal, current_stop, set_current
from domain.tools.calls import ToolCall, ToolOutcome
from domain.tools.ports import BatchInterrupted, InterruptedWithOutcome

DEFAULT_WORKERS = 4
# How long the interrupted workers get to settle (a subagent writes its last lines).
SETTLE_SECONDS = 3.0


class ThreadedScheduler:
    def __init__(
        self,
        registry: ToolRegistry,
        broker: QuestionBroker | None = None,
        max_workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.registry = registry
        self.broker = broker or QuestionBroker()
        self.max_workers = max(1, max_workers)

    def concurrency_safe(self, call: ToolCall) -> bool:
        tool = self.registry.tool(call.name)
        return bool(getattr(tool, "concurrency_safe", False))

    def run_all(self, jobs: Sequence[Callable[[], ToolOutcome]]) -> list[ToolOutcome]:
        if not jobs:
            return []
        finished: list[ToolOutcome | None] = [None] * len(jobs)
        stop = StopSignal(current_stop())
        slots = threading.Semaphore(self.max_workers)
        left = [len(jobs)]
        lock = threading.Lock()
        all_done = threading.Event()

        def work(index: int, job: Callable[[], ToolOutcome]) -> None:
            try:
                with slots:
                    set_current(stop)
                    if not stop.is_set():
                        finished[index] = job()
            except InterruptedWithOutcome as stopped:
                finished[index] = stopped.outcome  # a subagent says what it got to
            except KeyboardInterrupt:
                pass  # stopped: answered as interrupted
            except BaseException as exc:  # answered, never lost with the thread
                finished[index] = ToolOutcome(
                    content=f"The tool failed inside hexclaw: {type(exc).__name__}: {exc}",
                    is_error=True,
                    summary="tool crashed",
                )
            finally:
                with lock:
                    left[0] -= 1
                    if left[0] == 0:
                        all_done.set()
                        self.broker.wake()

        started = 0
        try:
            for index, job in enumerate(jobs):
                context = contextvars.copy_context()
                thread = threading.Thread(
                    target=context.run, args=(work, index, job), daemon=True, name=f"tool-{index}"
                )
                thread.start()
                started += 1
            self._wait(all_done, stop)
        except KeyboardInterrupt:
            stop.set()
            with lock:
                # Jobs whose thread never started will not count themselves down.
                left[0] -= len(jobs) - started
                if left[0] <= 0:
                    all_done.set()
            self.broker.refuse_waiting()
            all_done.wait(SETTLE_SECONDS)
            raise BatchInterrupted(list(finished)) from None
        return [
            outcome
            if outcome is not None
            else ToolOutcome(content="Not run: the call was stopped.", is_error=True)
            for outcome in finished
        ]

    def _wait(self, all_done: threading.Event, stop: StopSignal) -> None:
        serving = threading.current_thread() is threading.main_thread()
        while not all_done.is_set():
            if serving:
                self.broker.serve(POLL_SECONDS)
            else:
                # A batch inside a worker (a subagent's): its batch's stop reaches it here.
                stop.check()
                all_done.wait(POLL_SECONDS)
