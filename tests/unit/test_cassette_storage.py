"""Cassette storage: the workspace placeholder in streamed answers (only the whole path, also
cut across events), secrets echoed across events, URL queries, and the leak scan's words:
behaviours a mutation run found no test pinning down."""

from __future__ import annotations

from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse, Interaction
from domain.cassettes.redaction import REDACTED
from domain.cassettes.storage import (
    WORKSPACE_PLACEHOLDER,
    Redactor,
    cassette_leaks,
    comparable_request,
    restore_chunks,
)
from tests.fakes.sse_script import encode_events, text_message_events

WS = "/ws/proj"


def streamed(text: str) -> CassetteResponse:
    return CassetteResponse(200, "OK", {}, (encode_events(text_message_events(text)),))


def stored_text(text: str, workspace: str | None, redactor: Redactor | None = None) -> bytes:
    return (redactor or Redactor()).response(streamed(text), workspace).body


def test_the_workspace_cut_across_stream_events_becomes_the_placeholder() -> None:
    body = stored_text(f"see {WS}/a.py and {WS}", WS)
    assert WS.encode() not in body
    assert body.count(WORKSPACE_PLACEHOLDER.encode()) == 2


def test_only_the_whole_workspace_path_is_replaced_in_a_stream() -> None:
    for text in (f"{WS}2/a", f"x{WS}/a", f"/{WS}", f".{WS}", f"{WS}_b"):
        assert WORKSPACE_PLACEHOLDER.encode() not in stored_text(f"see {text} now", WS), text
    for text in (f"{WS}", f"({WS})", f" {WS}/x", f"'{WS}'"):
        assert WORKSPACE_PLACEHOLDER.encode() in stored_text(f"see {text}", WS), text
    assert WORKSPACE_PLACEHOLDER.encode() in stored_text(f"{WS} at the start", WS)


def test_a_workspace_of_only_slashes_or_none_is_never_replaced() -> None:
    assert WORKSPACE_PLACEHOLDER.encode() not in stored_text("a/b / None", "/")
    assert WORKSPACE_PLACEHOLDER.encode() not in stored_text("a/b / None", None)
    assert WORKSPACE_PLACEHOLDER.encode() not in stored_text("a/b / None", "")


def test_a_non_ascii_workspace_is_replaced_as_written_and_restored() -> None:
    ws = "/ws/café"
    response = CassetteResponse(200, "OK", {}, (f'{{"text": "in {ws}/a"}}'.encode(),))
    stored = Redactor().response(response, ws)
    assert stored.body == f'{{"text": "in {WORKSPACE_PLACEHOLDER}/a"}}'.encode()
    assert restore_chunks(stored, ws) == [f'{{"text": "in {ws}/a"}}'.encode()]
    assert restore_chunks(stored, None) == list(stored.chunks)


def test_a_secret_from_the_request_echoed_across_stream_events_is_scrubbed() -> None:
    request = CassetteRequest("POST", "https://api/v1/messages", {}, b"export API_KEY=abcd1234")
    stored = Redactor().interaction(request, streamed("the key is abcd1234 ok"), None)
    assert b"abcd1234" not in stored.response.body
    assert REDACTED.encode() in stored.response.body


def test_the_workspace_in_a_request_body_is_replaced_when_stored() -> None:
    request = CassetteRequest("POST", "https://api/v1/messages", {}, f'{{"p": "{WS}/a"}}'.encode())
    stored = Redactor().interaction(request, streamed("ok"), WS)
    assert stored.request.body == f'{{"p": "{WORKSPACE_PLACEHOLDER}/a"}}'.encode()


def test_a_code_in_a_query_is_redacted_there_and_wherever_it_is_echoed() -> None:
    request = CassetteRequest("GET", "/?code=abcdefgh123&s=1#a#b", {}, b"echo abcdefgh123")
    stored = comparable_request(request, None)
    assert stored.uri == f"/?code={REDACTED}&s=1#a#b"
    assert stored.body == REDACTED.encode().join([b"echo ", b""])
    plain = CassetteRequest("GET", "/cb", {}, b"")
    assert comparable_request(plain, None).uri == "/cb"


def test_a_response_loses_both_its_oauth_fields_and_known_secrets() -> None:
    redactor = Redactor(known={"supersecret1"})
    body = b'{"access_token": "tok-123456789", "note": "supersecret1"}'
    stored = redactor.response(CassetteResponse(200, "OK", {}, (body,)), None)
    assert stored.body == b'{"access_token": "REDACTED", "note": "REDACTED"}'


def test_the_leak_scan_names_each_leak_it_finds() -> None:
    request = CassetteRequest("GET", "/cb?code=abcdefgh123", {}, b"")
    response = CassetteResponse(200, "OK", {}, (b'{"refresh_token": "rt-12345678"}',))
    cassette = Cassette((Interaction(request, response),))
    leaks = cassette_leaks(cassette, b"text 12345678 here", ["12345678", "1234567"])
    assert "a known secret value 123..." in leaks
    assert "interaction 1 response body holds an OAuth secret field" in leaks
    assert "interaction 1 request URL holds an OAuth secret" in leaks
    assert not any("1234567." in leak for leak in leaks)
    clean = Cassette(
        (
            Interaction(
                CassetteRequest("GET", "/a", {}, b""), CassetteResponse(200, "OK", {}, (b"{}",))
            ),
        )
    )
    assert cassette_leaks(clean, b"", ["12345678"]) == []
