"""The stdio transport: the server in its own process group, JSON-RPC lines both ways.

The SDK's own ``stdio_client`` also starts a new session, but hides the process: hexclaw needs
its group id to stop it at exit whatever happens to the event loop, and keeps the server's
stderr off the terminal (its last lines explain a failure instead).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence

import anyio
import anyio.to_thread
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import types
from mcp.shared.message import SessionMessage

from adapters.tools.support.process_group import group_alive

STDERR_LINES = 20
GRACE = 2.0
# A line longer than this is not a message any server should send: the session fails.
MAX_LINE = 64 * 1024 * 1024


class ProcessGroups:
    """Every process group started, so they can all be stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()

    def add(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)

    def discard(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)

    def any_alive(self) -> bool:
        with self._lock:
            groups = set(self._groups)
        return any(group_alive(g) for g in groups)

    def stop_all(self, grace: float = GRACE) -> None:
        """SIGTERM every group, wait up to ``grace`` while any member lives, then SIGKILL."""
        with self._lock:
            groups, self._groups = set(self._groups), set()
        for pgid in groups:
            _signal(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(group_alive(g) for g in groups) and time.monotonic() < deadline:
            time.sleep(0.02)
        for pgid in groups:
            if group_alive(pgid):
                _signal(pgid, signal.SIGKILL)


def _signal(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


class StderrTail:
    """The last lines a server wrote on stderr, for the line that says why it failed."""

    def __init__(self) -> None:
        self.lines: deque[str] = deque(maxlen=STDERR_LINES)

    def last(self) -> str:
        return next((line for line in reversed(self.lines) if line.strip()), "")


@contextlib.asynccontextmanager
async def stdio_transport(
    command: str,
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: str,
    groups: ProcessGroups,
    stderr: StderrTail,
) -> AsyncIterator[
    tuple[
        MemoryObjectReceiveStream[SessionMessage | Exception],
        MemoryObjectSendStream[SessionMessage],
    ]
]:
    process = await anyio.open_process(
        [command, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=dict(env),
        start_new_session=True,
    )
    groups.add(process.pid)
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def read_stdout() -> None:
        assert process.stdout is not None
        buffer = b""
        async with read_writer:
            try:
                async for chunk in process.stdout:
                    buffer += chunk
                    if len(buffer) > MAX_LINE:
                        await read_writer.send(ValueError("a message longer than 64 MiB"))
                        return
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        if not line.strip():
                            continue
                        try:
                            message = types.JSONRPCMessage.model_validate_json(line)
                        except ValueError as exc:
                            await read_writer.send(exc)
                            continue
                        await read_writer.send(SessionMessage(message))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return

    async def read_stderr() -> None:
        assert process.stderr is not None
        pending = b""
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            async for chunk in process.stderr:
                *lines, pending = (pending + chunk).split(b"\n")
                stderr.lines.extend(line.decode("utf-8", "replace")[:500] for line in lines)
                pending = pending[-4096:]

    async def write_stdin() -> None:
        assert process.stdin is not None
        async with write_reader:
            try:
                async for message in write_reader:
                    data = message.message.model_dump_json(by_alias=True, exclude_none=True)
                    await process.stdin.send((data + "\n").encode())
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(read_stdout)
            group.start_soon(read_stderr)
            group.start_soon(write_stdin)
            try:
                yield read_stream, write_stream
            finally:
                group.cancel_scope.cancel()
    finally:
        # The MCP shutdown: close its stdin, then TERM and KILL the group (off the loop's
        # thread: the wait must not stall other servers).
        if process.stdin is not None:
            with contextlib.suppress(Exception):
                await process.stdin.aclose()
        await anyio.to_thread.run_sync(_stop_group, process.pid, groups)
        with contextlib.suppress(Exception):
            await process.wait()
        for stream in (read_stream, write_stream):
            await stream.aclose()


def _stop_group(pgid: int, groups: ProcessGroups) -> None:
    single = ProcessGroups()
    single.add(pgid)
    single.stop_all(grace=GRACE)
    groups.discard(pgid)
