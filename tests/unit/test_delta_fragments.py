"""A path or a secret cut across streamed delta events is still found and replaced."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from domain.cassettes.cassette import CassetteResponse
from domain.cassettes.chunked_body import rewrite_chunks
from domain.cassettes.delta_fragments import delta_fragments, spans_across_fragments
from domain.cassettes.storage import WORKSPACE_PLACEHOLDER, Redactor, restore_chunks
from tests.fakes.sse_script import encode_events, json_delta, text_delta

WORKSPACE = "/tmp/rec-abc/project"


def _tool_input_stream(cuts: list[int]) -> bytes:
    raw = json.dumps({"file_path": f"{WORKSPACE}/stats.py", "note": "naïve 😀"})
    points = sorted({0, len(raw), *(c % len(raw) for c in cuts)})
    pieces = [raw[a:b] for a, b in itertools.pairwise(points)]
    return encode_events([json_delta(1, piece) for piece in pieces])


@given(st.lists(st.integers(0, 200), max_size=12))
def test_a_tool_input_path_cut_anywhere_becomes_one_placeholder(cuts: list[int]) -> None:
    body = _tool_input_stream(cuts)
    stored = Redactor().response(CassetteResponse(200, "OK", {}, (body,)), WORKSPACE)
    joined = "".join(f.text for f in delta_fragments(stored.body))
    assert json.loads(joined) == {
        "file_path": f"{WORKSPACE_PLACEHOLDER}/stats.py",
        "note": "naïve 😀",
    }
    # Replayed in another folder, the tool input names that folder.
    elsewhere = b"".join(restore_chunks(stored, "/home/me/copy"))
    again = "".join(f.text for f in delta_fragments(elsewhere))
    assert json.loads(again)["file_path"] == "/home/me/copy/stats.py"


def test_text_fragments_keep_their_events_and_only_lose_the_path() -> None:
    body = encode_events(
        [text_delta(0, "Reading /tmp/rec-a"), text_delta(0, "bc/project/a.py now")]
    )
    stored = Redactor().response(CassetteResponse(200, "OK", {}, (body,)), WORKSPACE)
    texts = [f.text for f in delta_fragments(stored.body)]
    assert texts == [f"Reading {WORKSPACE_PLACEHOLDER}", "/a.py now"]
    assert stored.body.count(b"content_block_delta") == body.count(b"content_block_delta")


def test_a_longer_path_that_starts_the_same_is_left_alone() -> None:
    body = encode_events([text_delta(0, "see /tmp/rec-abc/pro"), text_delta(0, "ject2/x")])
    fragments = delta_fragments(body)
    spans = spans_across_fragments(fragments, [WORKSPACE], b"X", lambda t, s, e: t[e] != "2")
    assert spans == []


def test_a_secret_cut_across_text_deltas_is_redacted() -> None:
    secret = "sk-ant-oat01-" + "s" * 30
    redactor = Redactor(known={secret})
    body = encode_events([text_delta(0, "token: " + secret[:15]), text_delta(0, secret[15:] + ".")])
    stored = redactor.response(CassetteResponse(200, "OK", {}, (body,)), None)
    assert [f.text for f in delta_fragments(stored.body)] == ["token: REDACTED", "."]


def test_escapes_map_back_to_their_raw_bytes() -> None:
    body = encode_events([json_delta(0, '{"a": "x\\"y"}'), json_delta(0, " \\u00e9")])
    fragments = delta_fragments(body)
    assert "".join(f.text for f in fragments) == '{"a": "x\\"y"} \\u00e9'
    spans = spans_across_fragments(fragments, ['x\\"y'], b"Z")
    edited = b"".join(rewrite_chunks([body], spans))
    assert "".join(f.text for f in delta_fragments(edited)) == '{"a": "Z"} \\u00e9'
