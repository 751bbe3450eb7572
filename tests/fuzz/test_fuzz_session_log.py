"""Fuzzing the session loader: damaged, foreign and hostile logs give a conversation or a
typed error, never a crash."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.conversation.transcript import Conversation
from domain.messages.wire import conversation_message_to_wire
from domain.sessions.errors import SessionError
from domain.sessions.log import (
    FORMAT_VERSION,
    HEADER_TYPE,
    conversation_from_log,
    decode_log,
    summarize,
)
from tests.fuzz.limits import fuzz_settings, within_memory

pytestmark = pytest.mark.fuzz

BLOCK_TYPES = ["text", "tool_use", "tool_result", "thinking", "redacted_thinking", "image", "x"]
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["toolu_1", "toolu_2", "user", "assistant", ""])
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=10,
)
block_fields = st.sampled_from(
    ["text", "id", "name", "input", "tool_use_id", "content", "is_error", "thinking", "signature"]
)
REQUIRED = {
    "text": ["text"],
    "tool_use": ["id", "name", "input"],
    "tool_result": ["tool_use_id", "content"],
    "thinking": ["thinking", "signature"],
    "redacted_thinking": ["data"],
}
ids = st.sampled_from(["toolu_1", "toolu_2"])
# Blocks with every field a block of their type needs, each of any JSON type (an id that is
# a list, text that is a number), and blocks with fields picked at random.
full_blocks = st.sampled_from(sorted(REQUIRED)).flatmap(
    lambda kind: st.fixed_dictionaries(
        {"type": st.just(kind), **{name: ids | json_values for name in REQUIRED[kind]}}
    )
)
blocks = st.one_of(
    full_blocks,
    st.builds(
        lambda kind, fields: {"type": kind, **fields},
        st.sampled_from(BLOCK_TYPES),
        st.dictionaries(block_fields, json_values, max_size=5),
    ),
    json_values,
)
messages = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", 3]) | json_values},
    optional={"content": st.lists(blocks, max_size=4) | json_values},
)
entries = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("message"), "message": messages | json_values},
        optional={"usage": json_values, "incomplete": json_values},
    ),
    st.fixed_dictionaries(
        {"type": st.just("compaction")},
        optional={
            "summary": json_values,
            "kept_messages": st.integers(-3, 8) | json_values,
            "usage": json_values,
        },
    ),
    st.dictionaries(st.sampled_from(["type", "message", "usage"]), json_values),
    json_values,
)
headers = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just(HEADER_TYPE),
            "format": st.sampled_from([FORMAT_VERSION, FORMAT_VERSION + 1, 0, "1", True]),
        },
        optional={"session_id": json_values, "cwd": json_values},
    ),
    json_values,
)


@st.composite
def session_logs(draw: st.DrawFn) -> bytes:
    lines = [json.dumps(draw(headers)).encode()]
    for entry in draw(st.lists(entries, max_size=10)):
        line = json.dumps(entry).encode()
        if draw(st.integers(0, 9)) == 0:
            line = line[: draw(st.integers(0, len(line)))]  # a damaged line
        lines.append(line)
    data = b"\n".join(lines) + b"\n"
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # killed while writing the last line
    return data + draw(st.sampled_from([b"", b"\xff\xfe", b"\n\n", b"{", "é".encode()[:1]]))


def load(data: bytes) -> Conversation:
    log = decode_log(data, "/s/session.jsonl")
    summarize(log)
    return conversation_from_log(log)


@fuzz_settings
@given(st.one_of(session_logs(), st.binary(max_size=300)))
def test_any_log_loads_to_a_conversation_or_a_typed_error(data: bytes) -> None:
    outcome = within_memory(lambda: load(data), len(data))
    if isinstance(outcome, Conversation):
        roles = [m.role for m in outcome.messages]
        # Whatever the log held, a resumed conversation starts with the user and alternates.
        assert roles[:1] in ([], ["user"])
        assert all(a != b for a, b in itertools.pairwise(roles))
        for message in outcome.messages:
            json.dumps(conversation_message_to_wire(message))  # it can be sent
    else:
        assert isinstance(outcome, SessionError)


@fuzz_settings
@given(st.integers(1, 100_000), st.sampled_from(["[", '{"a":']))
def test_a_deeply_nested_line_is_skipped_or_refused(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    header: dict[str, Any] = {"type": HEADER_TYPE, "format": FORMAT_VERSION}
    nested = f'{{"type":"message","message":{opener * depth}{closer * depth}}}'
    with_header = (json.dumps(header) + "\n" + nested + "\n").encode()
    outcome = within_memory(lambda: load(with_header), len(with_header))
    # The header is read and the nested line, which holds no message, is skipped.
    assert isinstance(outcome, Conversation)
    assert outcome.messages == []
    bare = (opener * depth + closer * depth + "\n").encode()
    # Without a header there is no session log to speak of: refused.
    assert isinstance(within_memory(lambda: load(bare), len(bare)), SessionError)
