"""Telling the user about hook runs: one line per message, and in verbose mode every run."""

from __future__ import annotations

from collections.abc import Callable

from domain.hooks.outcome import HookRun


class LineHookReporter:
    """Writes through ``say`` (the observer's notice line, or the REPL renderer's)."""

    def __init__(self, say: Callable[[str], None], verbose: bool = False) -> None:
        self._say = say
        self._verbose = verbose

    def hook_ran(self, run: HookRun) -> None:
        if not self._verbose:
            return
        if run.timed_out:
            status = "timed out"
        elif run.failed_to_start:
            status = "did not start"
        else:
            status = f"exit {run.exit_code}"
        self._say(
            f"hook {run.command.event}: {run.command.command} · {status} · {run.duration_ms} ms"
        )

    def hook_message(self, text: str) -> None:
        self._say(f"hook: {text}")

    def hook_output(self, text: str) -> None:
        if self._verbose:
            self._say(f"hook output: {text}")
