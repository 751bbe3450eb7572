"""The stdio transport over a started server process: JSON-RPC lines both ways.

The SDK's own ``stdio_client`` also starts a new session, but hides the process and starts it
itself: hexclaw starts it earlier (``stdio_process.py``), needs its group id to stop it at
exit whatever happens to the event loop, and keeps the server's stderr off the terminal (its
last lines explain a failure instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import types
from mcp.shared.message import SessionMessage

from adapters.mcp.stdio_process import GRACE, ProcessGroups, StderrTail, stop_groups

# A line longer than this is not a message any server should send: the session fails.
MAX_LINE = 64 * 1024 * 1024

Streams = tuple[
    MemoryObjectReceiveStream[SessionMessage | Exception], MemoryObjectSendStream[SessionMessage]
]


@contextlib.asynccontextmanager
async def stdio_transport(
    process: subprocess.Popen[bytes], groups: ProcessGroups, stderr: StderrTail
) -> AsyncIterator[Streams]:
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    loop = asyncio.get_running_loop()
    out = asyncio.StreamReader(limit=MAX_LINE)
    err = asyncio.StreamReader(limit=1 << 16)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(out), process.stdout)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(err), process.stderr)
    pipe, _protocol = await loop.connect_write_pipe(asyncio.Protocol, process.stdin)
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def read_stdout() -> None:
        async with read_writer:
            while True:
                try:
                    line = await out.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    await read_writer.send(ValueError("a message longer than 64 MiB"))
                    return
                if not line:
                    return
                if not line.strip():
                    continue
                try:
                    message = types.JSONRPCMessage.model_validate_json(line)
                except ValueError as exc:
                    await read_writer.send(exc)
                    continue
                await read_writer.send(SessionMessage(message))

    async def read_stderr() -> None:
        while True:
            try:
                line = await err.readline()
            except (ValueError, asyncio.LimitOverrunError):
                continue
            if not line:
                return
            stderr.lines.append(line.decode("utf-8", "replace").rstrip("\n")[:500])

    async def write_stdin() -> None:
        async with write_reader:
            async for message in write_reader:
                if pipe.is_closing():
                    return
                data = message.message.model_dump_json(by_alias=True, exclude_none=True)
                pipe.write((data + "\n").encode())

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
        pipe.close()
        await asyncio.to_thread(stop_groups, {process.pid}, GRACE)
        groups.discard(process.pid)
        await asyncio.to_thread(process.wait)
        for stream in (read_stream, write_stream):
            await stream.aclose()
