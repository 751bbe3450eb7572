"""``HookProcessRunner``: runs one event's hook commands in parallel, JSON on stdin."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from adapters.tools.support.process_group import stop_group
from domain.hooks.config import HookCommand
from domain.hooks.outcome import HookRun

OUTPUT_LIMIT = 1_000_000  # characters kept of a hook's stdout or stderr
SHELL = "/bin/sh"


class HookProcessRunner:
    def __init__(self, workspace: str, environ: Mapping[str, str] | None = None) -> None:
        self._workspace = workspace
        env = dict(os.environ if environ is None else environ)
        env["CLAUDE_PROJECT_DIR"] = workspace
        self._env = env

    def in_folder(self, cwd: str) -> HookProcessRunner:
        runner = HookProcessRunner(self._workspace, self._env)
        runner._workspace = cwd
        return runner

    def run_all(self, commands: Sequence[HookCommand], payload: dict[str, Any]) -> list[HookRun]:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if len(commands) == 1:
            return [self._run_one(commands[0], data)]
        runs: list[HookRun | None] = [None] * len(commands)

        def work(index: int) -> None:
            runs[index] = self._run_one(commands[index], data)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(commands))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [run for run in runs if run is not None]

    def _run_one(self, command: HookCommand, data: bytes) -> HookRun:
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [SHELL, "-c", command.command],
                cwd=self._workspace,
                env=self._env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            return HookRun(command, None, failed_to_start=exc.strerror or str(exc))
        try:
            out, err = proc.communicate(data, timeout=command.timeout)
        except subprocess.TimeoutExpired:
            stop_group(proc)
            out, err = b"", b""
            try:
                out, err = proc.communicate(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()
            return HookRun(
                command,
                None,
                _text(out),
                _text(err),
                _elapsed(started),
                timed_out=True,
            )
        except BaseException:
            stop_group(proc, grace=0.2)  # Ctrl-C: the hook's whole group goes too
            raise
        return HookRun(command, proc.returncode, _text(out), _text(err), _elapsed(started))


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")[:OUTPUT_LIMIT]


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
