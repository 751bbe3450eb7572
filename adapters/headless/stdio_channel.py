"""Standard input and output as a message channel for ``--input-format stream-json``.

A reader thread reads stdin line by line as it arrives: user messages (and a bad line, and
the end of input) queue up for the main thread, which runs one turn per message; control
requests are answered at once by the handler, on the reader thread, so an ``interrupt`` is
heard while a turn runs; control responses go to whoever waits for that ``request_id``.
Every output line goes through ``emit``, one whole line at a time.

The reader uses ``os.read`` on the descriptor, not ``sys.stdin``: a daemon thread blocked inside
a buffered reader holds its lock, and the interpreter aborts at exit when it finds that lock
taken (a session ended by Ctrl-C while waiting for input would die of SIGABRT).
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Callable
from typing import TextIO

from domain.headless.errors import InvalidInputLine
from domain.headless.input_lines import (
    CancelRequest,
    ControlRequest,
    ControlResponse,
    Skipped,
    UserInput,
    parse_input_line,
)
from domain.messages.content import JSONObject

ControlHandler = Callable[[ControlRequest], JSONObject]
READ_SIZE = 1 << 16


class EndOfInput:
    """Stdin closed: no more messages will come."""


Inbound = UserInput | InvalidInputLine | EndOfInput


class StdioChannel:
    def __init__(self, stdin_fd: int, stdout: TextIO, warn: Callable[[str], None]) -> None:
        self._fd = stdin_fd
        self._stdout = stdout
        self._warn = warn
        self._write_lock = threading.Lock()
        self._inbox: queue.Queue[Inbound] = queue.Queue()
        self._waiting: dict[str, queue.Queue[ControlResponse | None]] = {}
        self._waiting_lock = threading.Lock()
        self._closed = False
        self._handler: ControlHandler | None = None
        self._thread = threading.Thread(target=self._read, name="stdin-reader", daemon=True)

    def emit(self, line: JSONObject) -> None:
        text = json.dumps(line, ensure_ascii=False) + "\n"
        with self._write_lock:
            self._stdout.write(text)
            self._stdout.flush()

    def start(self, handler: ControlHandler) -> None:
        self._handler = handler
        self._thread.start()

    def next_message(self) -> Inbound:
        """The next user message, a bad line, or the end of input (blocks until one comes)."""
        return self._inbox.get()

    def expect(self, request_id: str) -> None:
        """Register interest in the response to ``request_id`` before sending the request."""
        slot: queue.Queue[ControlResponse | None] = queue.Queue(maxsize=1)
        with self._waiting_lock:
            self._waiting[request_id] = slot
            if self._closed:
                slot.put(None)

    def wait_response(self, request_id: str) -> ControlResponse | None:
        """The client's response to our request; None when stdin closed first."""
        with self._waiting_lock:
            slot = self._waiting.get(request_id)
            closed = self._closed
        if slot is None or (closed and slot.empty()):
            return None
        try:
            return slot.get()
        finally:
            with self._waiting_lock:
                self._waiting.pop(request_id, None)

    def _read(self) -> None:
        number = 0
        pending = bytearray()
        try:
            while chunk := os.read(self._fd, READ_SIZE):
                pending += chunk
                while (end := pending.find(b"\n")) >= 0:
                    raw = bytes(pending[:end])
                    del pending[: end + 1]
                    number += 1
                    if not self._dispatch(raw, number):
                        return
            if pending.strip():
                self._dispatch(bytes(pending), number + 1)
        except OSError as exc:
            self._warn(f"stopped reading stdin: {exc.strerror or exc}")
        finally:
            self._close()

    def _dispatch(self, raw: bytes, number: int) -> bool:
        text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
        try:
            message = parse_input_line(text, number)
        except InvalidInputLine as exc:
            self._inbox.put(exc)
            return False
        if isinstance(message, UserInput):
            self._inbox.put(message)
        elif isinstance(message, ControlRequest):
            assert self._handler is not None
            self.emit(self._handler(message))
        elif isinstance(message, ControlResponse):
            self._deliver(message)
        elif isinstance(message, Skipped) and message.why:
            self._warn(message.why)
        elif isinstance(message, CancelRequest):
            return True  # hexclaw's requests are answered or given up on by the turn itself
        return True

    def _deliver(self, response: ControlResponse) -> None:
        with self._waiting_lock:
            slot = self._waiting.get(response.request_id)
        if slot is None:
            self._warn(f"a control_response for an unknown request {response.request_id!r}")
            return
        slot.put(response)

    def _close(self) -> None:
        with self._waiting_lock:
            self._closed = True
            slots = list(self._waiting.values())
        for slot in slots:
            if slot.empty():
                slot.put(None)
        self._inbox.put(EndOfInput())
