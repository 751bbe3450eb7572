"""Run a command and measure its wall time, or the peak memory of its whole process tree.

Peak memory is the larger of two readings: the tree's memory sampled every few
milliseconds from /proc while it runs (``tree_memory_kib``: it counts the shells and
helpers a tool starts without counting twice the pages a forked child still shares
with its parent), and the kernel's own peak RSS of the largest single process
(``wait4``), which a sample could miss between two readings.

The sampling is not free: each sample reads every process's ``smaps_rollup`` (a walk of its
memory map under its mmap lock) from a thread of the bench, on a machine of two cores. On a
``-p`` run with one MCP server it added about 165 ms to hexclaw's 0.41 s and 150 ms to Claude
Code's 1.0 s, a cost of the bench's, not of either program. So a run samples only when asked
(``memory=True``), and a row's wall times come from runs nobody samples.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_INTERVAL = 0.005


@dataclass(frozen=True)
class ProcessRun:
    argv: tuple[str, ...]
    cwd: str
    wall: float
    peak_mib: float | None
    """None for a run that was not sampled (``memory=False``)."""
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        """One line saying how the run failed, for a report note."""
        detail = (self.stderr.strip() or self.stdout.strip()).splitlines()
        last = detail[-1][:160] if detail else "no output"
        return f"`{Path(self.argv[0]).name}` exited {self.returncode}: {last}"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
            found.extend(int(child) for child in f.read().split())
    return found


_SYS_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())
_KCMP_VM = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if _SYS_KCMP is not None else None


def _same_address_space(a: int, b: int) -> bool:
    """kcmp(2): true when the two processes share one address space (a vfork child)."""
    if _LIBC is None:
        return False
    return int(_LIBC.syscall(_SYS_KCMP, a, b, _KCMP_VM, 0, 0)) == 0


def _counters(pid: int) -> str:
    """The process's memory counters from smaps_rollup ("" once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return f.read().partition("\n")[2]
    except OSError:
        return ""


def _kib(counters: str, field: str) -> int:
    for line in counters.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def tree_memory_kib(root: int) -> int:
    """The memory of ``root`` and all its descendants now: their summed PSS, or the RSS of
    the largest one when that is more (RSS counts shared libraries in full).

    A child started with vfork or ``CLONE_VM`` (as ``posix_spawn`` does) shares its
    parent's address space until it execs, and reports that whole space as its own: it
    is counted once (kcmp says so; where kcmp is missing, its identical counters do).
    """
    pss_total = 0
    largest_rss = 0
    seen: set[str] = set()
    counted: list[int] = []
    pending = [root]
    while pending:
        pid = pending.pop()
        pending.extend(_children(pid))
        # Asked before the counters are read: a child that execs in between is then
        # either skipped whole or read as its new self, never as its parent's space.
        if any(_same_address_space(pid, other) for other in counted):
            continue
        counters = _counters(pid)
        if not counters or counters in seen:
            continue
        seen.add(counters)
        counted.append(pid)
        pss_total += _kib(counters, "Pss:")
        largest_rss = max(largest_rss, _kib(counters, "Rss:"))
    return max(pss_total, largest_rss)


class _TreeSampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self._root = root
        self._stop_event = threading.Event()
        self.peak_kib = 0

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kib = max(self.peak_kib, tree_memory_kib(self._root))
            self._stop_event.wait(SAMPLE_INTERVAL)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_measured(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    timeout: float = 120.0,
    stdin: Path | None = None,
    memory: bool = False,
) -> ProcessRun:
    """Run ``argv`` to its end, sampling the process tree's memory with ``memory``; ``stdin``
    is a file to read from (none: an empty input)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        open(stdin or os.devnull, "rb") as given,
    ):
        # Linux carries a process's peak RSS across execve, so a child forked from this
        # process starts with a peak as large as this one's: after the in-process rows (the
        # 100,000-file tree) that hid the real peak of any command measured later (a 36 MiB
        # stream session read 323 MiB). wait4's peak counts only when it is above ours.
        inherited_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=given,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        sampler = _TreeSampler(proc.pid) if memory else None
        if sampler is not None:
            sampler.start()
        killer = threading.Timer(timeout, _kill_group, args=(proc.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            wall = time.perf_counter() - started
            killer.cancel()
            if sampler is not None:
                sampler.stop()
            # Anything the command left running in its session is ended with it.
            _kill_group(proc.pid)
        proc.returncode = os.waitstatus_to_exitcode(status)
        exit_peak_kib = usage.ru_maxrss if usage.ru_maxrss > inherited_kib else 0
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            argv=tuple(argv),
            cwd=str(cwd),
            wall=wall,
            peak_mib=None if sampler is None else max(sampler.peak_kib, exit_peak_kib) / 1024,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)
