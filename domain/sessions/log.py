"""The session log format: one JSON object per line, a header line first.

Rules a reader must not break:
- the first line is the header (``"type": "hexclaw-session"``) with the format version; a log
  whose version is newer than ``FORMAT_VERSION`` is refused, never rewritten;
- each later line is one entry (a message or an event); lines are only ever appended, so a
  crash can tear at most the last one, which loading skips with a warning;
- unknown entry types and unknown keys are ignored, so a minor addition needs no new version.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import attrs

from domain.conversation.compaction_plan import COMPACTION, replay_compaction
from domain.conversation.transcript import Conversation, merged, repaired
from domain.messages.content import ConversationMessage, JSONObject, TextBlock, Usage
from domain.messages.wire import (
    conversation_message_from_wire,
    conversation_message_to_wire,
    usage_from_wire,
    usage_to_wire,
)
from domain.repr_base import Record
from domain.sessions.errors import InvalidSessionId, NotASessionLog, SessionFormatTooNew

FORMAT_VERSION = 1
HEADER_TYPE = "hexclaw-session"
MESSAGE = "message"
TURN_END = "turn_end"
RETRACTED = "retracted"
# The conversation goes back to its first ``messages`` messages (a rewind); what came after
# stays in the log above this entry, so nothing is lost.
REWOUND = "rewind"
PERMISSION = "permission"

_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_MAX_SLUG = 180


@attrs.frozen(repr=False)
class SessionHeader(Record):
    session_id: str
    cwd: str
    started_at: str
    version: str
    format: int = FORMAT_VERSION


@attrs.define(repr=False)
class SessionLog(Record):
    header: SessionHeader
    entries: list[JSONObject]
    warnings: list[str] = attrs.field(factory=list)


@attrs.frozen(repr=False)
class SessionSummary(Record):
    session_id: str
    cwd: str
    started_at: str
    first_prompt: str
    message_count: int


def header_entry(header: SessionHeader) -> JSONObject:
    return {
        "type": HEADER_TYPE,
        "format": header.format,
        "session_id": header.session_id,
        "cwd": header.cwd,
        "started_at": header.started_at,
        "version": header.version,
    }


def message_entry(
    message: ConversationMessage,
    *,
    model: str | None = None,
    message_id: str | None = None,
    stop_reason: str | None = None,
    usage: Usage | None = None,
    incomplete: bool = False,
    interrupted: bool = False,
) -> JSONObject:
    """A message as sent to the API; an assistant message also keeps what the API said of it.

    ``incomplete`` marks an answer cut short by a failure, ``interrupted`` one cut by the user.
    """
    entry: JSONObject = {"type": MESSAGE, "message": conversation_message_to_wire(message)}
    if model:
        entry["model"] = model
    if message_id:
        entry["id"] = message_id
    if stop_reason:
        entry["stop_reason"] = stop_reason
    if usage is not None:
        entry["usage"] = usage_to_wire(usage)
    if incomplete:
        entry["incomplete"] = True
    if interrupted:
        entry["interrupted"] = True
    return entry


def turn_end_entry(subtype: str, model_calls: int, usage: Usage) -> JSONObject:
    return {
        "type": TURN_END,
        "subtype": subtype,
        "model_calls": model_calls,
        "usage": usage_to_wire(usage),
    }


def permission_entry(
    tool_use_id: str, tool_name: str, verdict: str, reason: str, decided_by: str
) -> JSONObject:
    """Why a tool call ran or did not: the verdict, its reason and who decided (the rules, the
    user, the client program, or print mode, which cannot ask). Replay ignores it."""
    return {
        "type": PERMISSION,
        "tool_use_id": tool_use_id,
        "tool_name": tool_name,
        "decision": verdict,
        "reason": reason,
        "decided_by": decided_by,
    }


def retracted_entry(blocks: int) -> JSONObject:
    """The last ``blocks`` blocks of user content, logged above, were taken back out of the
    conversation (the API refused the request they were in). Counted as replay sees them:
    merged, without blocks the API refuses back."""
    return {"type": RETRACTED, "blocks": blocks}


def encode_entry(entry: JSONObject) -> bytes:
    """One line: JSON escapes newlines inside strings, so the only newline is the last byte."""
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def decode_log(data: bytes, source: str) -> SessionLog:
    """Read a whole log; ``source`` names it in warnings and errors."""
    lines = data.split(b"\n")
    torn_tail = lines[-1] != b""
    if not torn_tail:
        lines.pop()
    if not lines or not lines[0].strip():
        raise NotASessionLog(f"{source} is empty, not a hexclaw session")
    header = _decode_header(_parse_line(lines[0]), source)
    log = SessionLog(header=header, entries=[])
    for number, raw in enumerate(lines[1:], start=2):
        entry = _parse_line(raw)
        is_last = number == len(lines)
        if entry is None:
            if not raw.strip():
                continue
            if is_last and torn_tail:
                log.warnings.append(
                    f"{source}: the last line was cut off (hexclaw was stopped while writing it);"
                    " skipped it"
                )
            else:
                log.warnings.append(f"{source}: line {number} is damaged; skipped it")
            continue
        log.entries.append(entry)
    return log


def _parse_line(raw: bytes) -> JSONObject | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None  # a line nested too deeply to read is as damaged as a torn one
    return value if isinstance(value, dict) else None


def _decode_header(entry: JSONObject | None, source: str) -> SessionHeader:
    if entry is None or entry.get("type") != HEADER_TYPE:
        raise NotASessionLog(f"{source} is not a hexclaw session (no session header)")
    version = entry.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise NotASessionLog(f"{source} has a session header without a valid format version")
    if version > FORMAT_VERSION:
        raise SessionFormatTooNew(source, version, FORMAT_VERSION)
    return SessionHeader(
        session_id=str(entry.get("session_id") or ""),
        cwd=str(entry.get("cwd") or ""),
        started_at=str(entry.get("started_at") or ""),
        version=str(entry.get("version") or ""),
        format=version,
    )


def logged_messages(log: SessionLog) -> list[ConversationMessage]:
    return [
        conversation_message_from_wire(entry["message"])
        for entry in log.entries
        if entry.get("type") == MESSAGE and isinstance(entry.get("message"), dict)
    ]


def conversation_from_log(log: SessionLog) -> Conversation:
    """The conversation to resume: the logged messages, with each logged compaction applied
    where it happened, repaired where a crash cut them."""
    messages: list[ConversationMessage] = []
    usage, last_call_usage = Usage(), None
    for entry in log.entries:
        kind = entry.get("type")
        if kind == MESSAGE and isinstance(entry.get("message"), dict):
            messages.append(conversation_message_from_wire(entry["message"]))
        elif kind == COMPACTION:
            # The entry counts messages as the conversation held them: merged, as here.
            messages = replay_compaction(merged(messages), entry)
            last_call_usage = None
        elif kind == RETRACTED:
            messages = _without_retracted(merged(messages), entry.get("blocks"))
        elif kind == REWOUND and _count(entry.get("messages")) is not None:
            messages = merged(messages)[: _count(entry.get("messages"))]
            last_call_usage = None
        if kind in (MESSAGE, COMPACTION) and "usage" in entry:
            call_usage = usage_from_wire(entry["usage"])
            usage = usage + call_usage
            if kind == MESSAGE:
                last_call_usage = call_usage
    # ``repaired`` also merges same-role neighbours, as adding them one by one would.
    return Conversation(messages=repaired(messages), usage=usage, last_call_usage=last_call_usage)


def rewound_entry(messages: int, turn: int) -> JSONObject:
    return {"type": REWOUND, "messages": messages, "turn": turn}


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _without_retracted(
    messages: list[ConversationMessage], blocks: object
) -> list[ConversationMessage]:
    """The messages with the trailing user content a ``retracted`` entry names taken out."""
    if not isinstance(blocks, int) or isinstance(blocks, bool) or blocks < 1:
        return messages
    if not messages or messages[-1].role != "user" or len(messages[-1].content) < blocks:
        return messages  # not what the entry describes (a damaged log): keep what is there
    del messages[-1].content[-blocks:]
    if not messages[-1].content:
        messages.pop()
    return messages


def summarize(log: SessionLog) -> SessionSummary:
    messages = logged_messages(log)
    return SessionSummary(
        session_id=log.header.session_id,
        cwd=log.header.cwd,
        started_at=log.header.started_at,
        first_prompt=_first_prompt(messages),
        message_count=len(messages),
    )


def _first_prompt(messages: list[ConversationMessage]) -> str:
    for message in messages:
        if message.role != "user":
            continue
        for block in message.content:
            if isinstance(block, TextBlock) and block.text.strip():
                return block.text.strip()
    return ""


def is_session_id(text: str) -> bool:
    return _SESSION_ID.fullmatch(text) is not None


def check_session_id(text: str) -> str:
    """A session id from the user; it names a file, so anything path-like is refused."""
    if not is_session_id(text):
        raise InvalidSessionId(text)
    return text


def project_slug(path: str) -> str:
    """The folder name for a project path: every character but letters and digits becomes ``-``.

    Claude Code names its project folders the same way. A very long path keeps its start and a
    hash of the whole, so the name stays within file-name limits and unique.
    """
    slug = re.sub(r"[^A-Za-z0-9]", "-", path)
    if len(slug) <= _MAX_SLUG:
        return slug
    digest = hashlib.sha256(path.encode()).hexdigest()[:16]
    return f"{slug[: _MAX_SLUG - 17]}-{digest}"


def format_version_of(first_line: bytes) -> int | None:
    """The format version in a header line, or None when it is not a hexclaw header."""
    entry = _parse_line(first_line)
    if entry is None or entry.get("type") != HEADER_TYPE:
        return None
    version: Any = entry.get("format")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


SUBAGENT = "subagent"


def subagent_entry(
    tool_use_id: str, agent_id: str, agent_type: str, description: str, transcript: str
) -> JSONObject:
    """An Agent call's subagent and where its own transcript is (relative to this log's
    folder). Replay ignores it: the parent conversation holds only the call and its report."""
    return {
        "type": SUBAGENT,
        "tool_use_id": tool_use_id,
        "agent_id": agent_id,
        "agent_type": agent_type,
        "description": description,
        "transcript": transcript,
    }
