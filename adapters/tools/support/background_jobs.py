"""Commands started with ``run_in_background``: their output goes to a file that BashOutput
reads incrementally (bounded), and KillShell (or leaving hexclaw) stops their process group."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence

import attrs

from adapters.tools.support.process_group import DEFAULT_GRACE, start_in_group, stop_group
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.truncation import HeadTailBuffer
from domain.repr_base import Record

READ_CHUNK = 65536


@attrs.define(repr=False)
class BackgroundJob(Record):
    id: str
    command: str
    proc: subprocess.Popen[bytes]
    output_path: str
    read_offset: int = 0
    killed: bool = False

    @property
    def status(self) -> str:
        code = self.proc.poll()
        if code is None:
            return "running"
        if self.killed:
            return "killed"
        return f"exited with code {code}"


class BackgroundJobs:
    def __init__(self, grace: float = DEFAULT_GRACE) -> None:
        self.grace = grace
        self._jobs: dict[str, BackgroundJob] = {}
        self._directory: str | None = None

    def start(
        self, argv: Sequence[str], cwd: str, command: str, pass_fds: Sequence[int] = ()
    ) -> BackgroundJob:
        if self._directory is None:
            self._directory = tempfile.mkdtemp(prefix="hexclaw-jobs-")
        job_id = f"bash_{len(self._jobs) + 1}"
        path = os.path.join(self._directory, f"{job_id}.log")
        with open(path, "wb") as output:
            proc = start_in_group(argv, cwd, stdout=output, pass_fds=pass_fds)
        job = BackgroundJob(job_id, command, proc, path)
        self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> BackgroundJob:
        job = self._jobs.get(job_id)
        if job is None:
            known = ", ".join(self._jobs) or "none"
            raise ToolError(f"no background job {job_id!r} (jobs: {known})")
        return job

    def read_new(self, job: BackgroundJob, limit: int) -> tuple[str, int]:
        """The output since the last read, cut in the middle past ``limit`` characters."""
        buffer = HeadTailBuffer(limit, limit)
        with open(job.output_path, "rb") as handle:
            handle.seek(job.read_offset)
            while chunk := handle.read(READ_CHUNK):
                buffer.feed(chunk)
        job.read_offset += buffer.total
        return buffer.text(limit), buffer.total

    def kill(self, job: BackgroundJob) -> None:
        if job.proc.poll() is None:
            job.killed = True
        stop_group(job.proc, self.grace)

    def stop_all(self) -> None:
        """Stop every job and remove their output files (when hexclaw exits)."""
        for job in self._jobs.values():
            if job.proc.poll() is None:
                self.kill(job)
            else:
                with contextlib.suppress(ChildProcessError):
                    job.proc.wait(0)
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None
