"""Running a child in its own process group, reading its output incrementally, and stopping
the whole group (grandchildren included) on timeout, on request, or on Ctrl-C.

Rules a reader must not break:
- the child starts a new session, so a terminal Ctrl-C reaches only hexclaw, which then
  stops the group itself and re-raises ``KeyboardInterrupt`` for the agent loop (on a worker
  thread, the batch's stop signal does the same: ``stop_signal.py``);
- stopping is SIGTERM to the group, a grace period while any member lives, then SIGKILL;
- output is handed to ``on_output`` chunk by chunk and never accumulated here.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO

import attrs

from adapters.tools.support.group_liveness import group_alive
from adapters.tools.support.stop_signal import check_stop
from domain.repr_base import Record

READ_CHUNK = 65536
# Once the main process has exited, how long a quiet pipe is read before giving up on
# stragglers that keep it open (``server &`` inside a command).
QUIET_AFTER_EXIT = 0.1
DEFAULT_GRACE = 2.0
KILL_SETTLE = 1.0


@attrs.frozen(repr=False)
class ProcessResult(Record):
    returncode: int | None
    timed_out: bool = False
    stopped_early: bool = False
    stderr: str = ""


def start_in_group(
    argv: Sequence[str],
    cwd: str,
    env: Mapping[str, str] | None = None,
    stdout: int | IO[bytes] = subprocess.PIPE,
    stderr: int | IO[bytes] = subprocess.STDOUT,
    pass_fds: Sequence[int] = (),
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
        pass_fds=tuple(pass_fds),
    )


def run_streaming(
    argv: Sequence[str],
    cwd: str,
    on_output: Callable[[bytes], bool],
    timeout: float,
    env: Mapping[str, str] | None = None,
    grace: float = DEFAULT_GRACE,
    merge_stderr: bool = True,
    pass_fds: Sequence[int] = (),
) -> ProcessResult:
    """Run ``argv`` with stdout (and stderr, unless ``merge_stderr`` is False) streamed to
    ``on_output``, which returns False to stop early. A separate stderr is kept to 4 KiB.
    ``pass_fds`` stay open in the child (the sandbox's seccomp program and proxy channel)."""
    if merge_stderr:
        return _run(argv, cwd, on_output, timeout, env, grace, subprocess.STDOUT, pass_fds)
    with tempfile.TemporaryFile() as errors:
        result = _run(argv, cwd, on_output, timeout, env, grace, errors, pass_fds)
        errors.seek(0)
        text = errors.read(4096).decode("utf-8", "replace").strip()
        return attrs.evolve(result, stderr=text)


def _run(
    argv: Sequence[str],
    cwd: str,
    on_output: Callable[[bytes], bool],
    timeout: float,
    env: Mapping[str, str] | None,
    grace: float,
    stderr: int | IO[bytes],
    pass_fds: Sequence[int] = (),
) -> ProcessResult:
    proc = start_in_group(argv, cwd, env, stderr=stderr, pass_fds=pass_fds)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    timed_out = stopped_early = False
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                # On a worker thread (a subagent's call) Ctrl-C arrives as its batch's stop
                # signal, not as KeyboardInterrupt: checked here, it stops the group too.
                check_stop()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                if selector.select(min(remaining, QUIET_AFTER_EXIT)):
                    data = os.read(fd, READ_CHUNK)
                    if not data:
                        break
                    if not on_output(data):
                        stopped_early = True
                        break
                elif proc.poll() is not None:
                    break
        if not (timed_out or stopped_early):
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
        if timed_out or stopped_early:
            stop_group(proc, grace)
    except KeyboardInterrupt:
        stop_group(proc, grace)
        raise
    finally:
        proc.stdout.close()
    return ProcessResult(proc.returncode, timed_out, stopped_early)


def stop_group(proc: subprocess.Popen[bytes], grace: float = DEFAULT_GRACE) -> None:
    """SIGTERM the group, wait up to ``grace`` while any member lives, then SIGKILL it."""
    pgid = proc.pid
    _signal_group(pgid, signal.SIGTERM)
    if _wait_for_group(proc, grace):
        proc.wait()
        return
    _signal_group(pgid, signal.SIGKILL)
    proc.wait()
    # SIGKILL is not instant: wait until it has landed, so the caller sees them gone.
    _wait_for_group(proc, KILL_SETTLE)


def _wait_for_group(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        proc.poll()
        if not group_alive(proc.pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
