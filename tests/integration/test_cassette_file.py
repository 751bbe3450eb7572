"""Cassette files: vcrpy's YAML layout, byte-exact bodies and chunks, readable and atomic."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import vcr
from hypothesis import given
from hypothesis import strategies as st
from vcr.serializers import yamlserializer

from adapters.cassettes.file import dump_cassette, load_cassette, parse_cassette, save_cassette
from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse, Interaction
from domain.cassettes.errors import CassetteUnreadable, CassetteUnwritable


def _cassette(chunks: tuple[bytes, ...], request_body: bytes = b'{"a": 1}') -> Cassette:
    request = CassetteRequest(
        "POST",
        "http://127.0.0.1:1/v1/messages",
        {"content-type": ["application/json"]},
        request_body,
    )
    response = CassetteResponse(
        200, "OK", {"content-type": ["text/event-stream"], "x-multi": ["1", "2"]}, chunks
    )
    return Cassette((Interaction(request, response),), {"recorded_with": "test"})


@given(
    st.lists(
        st.one_of(
            st.binary(min_size=1, max_size=20),
            st.text(min_size=1, max_size=20).map(str.encode),
            st.sampled_from(
                [b"\r\n", b"\r", b"\n\n", b"  \n", "\x85\u2028\ufeff".encode(), b"\xe2\x82"]
            ),
        ),
        max_size=10,
    )
)
def test_bodies_and_chunks_survive_the_yaml_round_trip(chunks: list[bytes]) -> None:
    cassette = _cassette(tuple(chunks), request_body=b"".join(chunks))
    loaded = parse_cassette(dump_cassette(cassette), "test")
    assert loaded == cassette


def test_a_multi_line_stream_is_written_as_a_readable_block(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    save_cassette(path, _cassette((b"event: ping\n", b'data: {"type": "ping"}\n\n')))
    text = path.read_text()
    assert "      string: |" in text
    assert "        event: ping\n" in text
    assert "chunk_lengths: [12, 24]" in text


def test_vcrpy_reads_our_cassettes_and_replays_them_with_record_mode_none(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    body = (b"event: ping\r\n", b'data: {"type": "ping"}\r\n\r\n')
    save_cassette(path, _cassette(body))
    requests, responses, metadata = vcr.serialize.deserialize(path.read_text(), yamlserializer)
    assert requests[0].uri == "http://127.0.0.1:1/v1/messages"
    assert responses[0]["body"]["string"] == b"".join(body)
    assert metadata == {"recorded_with": "test"}
    with vcr.use_cassette(str(path), record_mode="none"), httpx.Client() as client:
        answer = client.post("http://127.0.0.1:1/v1/messages", content=b'{"a": 1}')
    assert answer.content == b"".join(body)


def test_a_plain_vcrpy_cassette_replays_as_one_chunk(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        "interactions:\n"
        "- request: {body: null, headers: {}, method: GET, uri: 'http://h/x'}\n"
        "  response:\n"
        "    body: {string: hello}\n"
        "    headers: {}\n"
        "    status: {code: 200, message: OK}\n"
        "version: 1\n"
    )
    loaded = load_cassette(path)
    assert loaded.interactions[0].response.chunks == (b"hello",)
    assert loaded.interactions[0].request.body == b""


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("interactions: [\n", "not valid YAML at line"),
        ("just a string\n", "not a vcrpy cassette"),
        ("interactions: []\nversion: 2\n", "format version 2"),
        (
            "interactions:\n- request: {method: GET, uri: 'http://h/'}\n"
            "  response: {status: {code: 200}, body: {string: abc, chunk_lengths: [1, 1]}}\n"
            "version: 1\n",
            "interaction 1 is malformed (ValueError: chunk_lengths add up to 2 bytes",
        ),
    ],
)
def test_a_bad_cassette_says_what_is_wrong(tmp_path: Path, text: str, detail: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CassetteUnreadable) as caught:
        load_cassette(path)
    assert str(caught.value).startswith(f"cannot use the cassette {path}: ")
    assert detail in str(caught.value)


def test_a_missing_cassette(tmp_path: Path) -> None:
    with pytest.raises(CassetteUnreadable, match="no such file"):
        load_cassette(tmp_path / "nope.yaml")


def test_saving_creates_folders_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "c.yaml"
    save_cassette(path, _cassette((b"one",)))
    save_cassette(path, _cassette((b"two",)))
    assert load_cassette(path).interactions[0].response.chunks == (b"two",)
    assert [p.name for p in path.parent.iterdir()] == ["c.yaml"]


def test_an_unwritable_target_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CassetteUnwritable, match=r"cannot save the cassette .*file/c.yaml"):
        save_cassette(blocker / "c.yaml", _cassette((b"x",)))
