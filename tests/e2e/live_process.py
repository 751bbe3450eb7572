"""Running hexclaw as a subprocess while the scripted server holds part of its answer back,
so a test can watch output arrive, signal the process mid-stream, and always clean up."""

from __future__ import annotations

import os
import select
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fakes.anthropic_server import Reply
from tests.fakes.sse_script import EventSpec, encode_events
from tests.support import HEXCLAW


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("hexclaw: ")
    return lines[0]


def first_delta_offset(body: bytes) -> int:
    """The byte offset just after the first text delta event."""
    start = body.index(b"event: content_block_delta")
    return body.index(b"\n\n", start) + 2


def held_after_first_delta(events: list[EventSpec]) -> tuple[Reply, threading.Event]:
    """A reply that sends up to its first text delta, then waits until the event is set."""
    body = encode_events(events)
    cut = first_delta_offset(body)
    gate = threading.Event()
    reply = Reply(
        chunks=[body[:cut], body[cut:]],
        headers={"content-type": "text/event-stream"},
        gate_before_chunk=1,
        gate=gate,
    )
    return reply, gate


class Reader:
    """Reads a subprocess's stdout as it comes, without waiting for the process to end."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self._fd = proc.stdout.fileno()
        self.data = b""

    def until(self, needle: bytes, timeout: float = 30.0) -> bytes:
        deadline = time.monotonic() + timeout
        while needle not in self.data:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{needle!r} never arrived; got {self.data!r}"
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if ready:
                chunk = os.read(self._fd, 65536)
                assert chunk, f"stdout closed before {needle!r}; got {self.data!r}"
                self.data += chunk
        return self.data


def start_hexclaw(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*HEXCLAW, *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@contextmanager
def running_hexclaw(
    args: list[str], env: dict[str, str], cwd: Path, gate: threading.Event
) -> Iterator[subprocess.Popen[bytes]]:
    """hexclaw running against a held reply; on exit the reply is released and the process
    is gone, whatever the test did."""
    proc = start_hexclaw(args, env, cwd)
    try:
        yield proc
    finally:
        gate.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
