"""A ``SessionRecorder`` that keeps the encoded log in memory, header line included.

It writes the same bytes the real store writes, so ``decode_log(recorder.data)`` reads back
exactly what a session file would hold.
"""

from __future__ import annotations

from domain.messages.content import JSONObject
from domain.sessions.log import SessionHeader, encode_entry, header_entry


class MemoryRecorder:
    def __init__(self, session_id: str = "test-session") -> None:
        header = SessionHeader(
            session_id=session_id, cwd="/work", started_at="2025-01-01T00:00:00Z", version="0"
        )
        self.data = encode_entry(header_entry(header))
        self.entries: list[JSONObject] = []

    def append(self, entry: JSONObject) -> None:
        self.entries.append(entry)
        self.data += encode_entry(entry)
