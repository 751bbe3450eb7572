"""``BackgroundRuns``: subagents started with ``run_in_background: true``.

Each runs on its own thread while the parent goes on; its report is queued for the loop,
which hands it to the model in a later user message (``domain/loop/background.py``). Its
permission questions go through the run's question broker, asked on the main thread whenever
the main thread serves it: during a batch of calls, or while the loop waits at the end of an
answer for the next report. Ctrl-C (``stop_all``) stops every one of them.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable

from adapters.tools.support.question_broker import QuestionBroker
from adapters.tools.support.stop_signal import StopSignal, set_current
from domain.loop.background import BackgroundReport
from domain.tools.calls import ToolOutcome
from domain.tools.ports import InterruptedWithOutcome

POLL_SECONDS = 0.05
# How long Ctrl-C waits for stopped subagents to settle their own conversations.
SETTLE_SECONDS = 3.0


class BackgroundRuns:
    def __init__(self, broker: QuestionBroker) -> None:
        self._broker = broker
        self._reports: queue.Queue[BackgroundReport] = queue.Queue()
        self._stop = StopSignal()
        # Each thread with the signal it was started under: stopped stragglers that have not
        # ended yet no longer count as running.
        self._threads: list[tuple[threading.Thread, StopSignal]] = []

    def start(self, tool_use_id: str, description: str, run: Callable[[], ToolOutcome]) -> None:
        stop = self._stop

        def work() -> None:
            set_current(stop)
            try:
                outcome = run()
            except InterruptedWithOutcome as stopped:
                outcome = stopped.outcome
            except KeyboardInterrupt:
                outcome = ToolOutcome(content="Stopped by the user.", is_error=True)
            except BaseException as exc:  # reported, never lost with the thread
                outcome = ToolOutcome(
                    content=f"The subagent failed inside hexclaw: {type(exc).__name__}: {exc}",
                    is_error=True,
                )
            if not stop.is_set():
                self._reports.put(_report(tool_use_id, description, outcome))
            self._broker.wake()

        context = contextvars.copy_context()
        thread = threading.Thread(
            target=context.run, args=(work,), daemon=True, name=f"agent-{tool_use_id}"
        )
        self._threads.append((thread, stop))
        thread.start()

    def running(self) -> bool:
        return any(t.is_alive() and s is self._stop for t, s in self._threads)

    def take(self) -> list[BackgroundReport]:
        reports: list[BackgroundReport] = []
        while True:
            try:
                reports.append(self._reports.get_nowait())
            except queue.Empty:
                return reports

    def wait(self) -> list[BackgroundReport]:
        serving = threading.current_thread() is threading.main_thread()
        while self._reports.empty() and self.running():
            if serving:
                self._broker.serve(POLL_SECONDS)
            else:
                threading.Event().wait(POLL_SECONDS)
        return self.take()

    def stop_all(self) -> None:
        self._stop.set()
        self._broker.refuse_waiting()
        for thread, _ in self._threads:
            thread.join(SETTLE_SECONDS / max(1, len(self._threads)))
        self._threads = [(t, s) for t, s in self._threads if t.is_alive()]
        self.take()  # what stopped work reported is stale now
        # Later background work gets a fresh signal; stragglers keep the set one.
        self._stop = StopSignal()


def _report(tool_use_id: str, description: str, outcome: ToolOutcome) -> BackgroundReport:
    content = outcome.content
    text = (
        content
        if isinstance(content, str)
        else "\n".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
    )
    return BackgroundReport(
        tool_use_id=tool_use_id,
        description=description,
        text=text,
        is_error=outcome.is_error,
        usages=tuple(outcome.subagent_usages),
    )
