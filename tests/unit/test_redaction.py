"""The redaction rules: what never reaches a cassette, and what must stay byte for byte."""

from __future__ import annotations

import json

import pytest

from domain.cassettes.cassette import Cassette, CassetteRequest, CassetteResponse, Interaction
from domain.cassettes.chunked_body import rewrite_chunks
from domain.cassettes.redaction import (
    REDACTED,
    field_spans,
    find_secrets,
    redact_headers,
    secret_spans,
)
from domain.cassettes.storage import (
    WORKSPACE_PLACEHOLDER,
    Redactor,
    cassette_leaks,
    comparable_request,
    restore_chunks,
    workspace_spans,
)

API_KEY = "sk-ant-api03-" + "Z" * 40
CODE = "ac_" + "q" * 30
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
ACCESS = "sk-ant-oat01-" + "a1" * 20
REFRESH = "sk-ant-ort01-" + "b2" * 20


def _apply(body: bytes) -> bytes:
    spans, _ = field_spans(body)
    return b"".join(rewrite_chunks([body], spans))


def test_private_headers_are_replaced_and_their_secrets_remembered() -> None:
    headers = {
        "x-api-key": [API_KEY],
        "Authorization": [f"Bearer {ACCESS}"],
        "cookie": ["session=abcdefghijkl; theme=dark"],
        "content-type": ["application/json"],
    }
    kept, secrets = redact_headers(headers)
    assert kept == {
        "x-api-key": [REDACTED],
        "Authorization": [REDACTED],
        "cookie": [REDACTED],
        "content-type": ["application/json"],
    }
    assert API_KEY in secrets
    assert ACCESS in secrets
    assert "abcdefghijkl" in secrets


def test_oauth_exchange_body_loses_only_the_code_and_verifier() -> None:
    body = json.dumps(
        {
            "grant_type": "authorization_code",
            "code": CODE,
            "redirect_uri": "http://localhost:5454/callback",
            "client_id": "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
            "code_verifier": VERIFIER,
            "state": "xyz",
        }
    ).encode()
    redacted = _apply(body)
    assert redacted == body.replace(CODE.encode(), b"REDACTED").replace(
        VERIFIER.encode(), b"REDACTED"
    )
    assert json.loads(redacted)["state"] == "xyz"


def test_token_response_loses_both_tokens_but_keeps_the_rest() -> None:
    body = (
        b'{"token_type":"Bearer","access_token":"' + ACCESS.encode() + b'",'
        b'"expires_in":3600,"refresh_token" : "' + REFRESH.encode() + b'","scope":"user:inference"}'
    )
    redacted = json.loads(_apply(body))
    assert redacted == {
        "token_type": "Bearer",
        "access_token": REDACTED,
        "expires_in": 3600,
        "refresh_token": REDACTED,
        "scope": "user:inference",
    }


def test_form_encoded_body_and_percent_escaped_names() -> None:
    body = f"grant_type=authorization_code&code={CODE}&code%5Fverifier={VERIFIER}&x=1".encode()
    assert (
        _apply(body) == b"grant_type=authorization_code&code=REDACTED&code%5Fverifier=REDACTED&x=1"
    )


def test_code_inside_a_messages_body_is_left_alone() -> None:
    body = json.dumps(
        {
            "model": "m",
            "messages": [
                {
                    "role": "assistant",
                    "content": [
                        {"type": "tool_use", "id": "t", "name": "Run", "input": {"code": "x=1"}}
                    ],
                }
            ],
        }
    ).encode()
    assert field_spans(body) == ([], [])


@pytest.mark.parametrize(
    "text",
    [
        API_KEY,
        f"Authorization: Bearer {ACCESS}",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
        "ghp_" + "x" * 36,
        "AKIAABCDEFGHIJKLMNOP",
        "sk-ant-test-key",
    ],
)
def test_key_shaped_text_is_found(text: str) -> None:
    assert find_secrets(f"before {text} after".encode())


@pytest.mark.parametrize(
    "text",
    [
        "Bearer REDACTED",
        "x-api-key: REDACTED",
        "msg_01XFDUDYJgAACzvnptvVoYEL toolu_01A09q90qw90lq917835lq9 req_fake",
        "a short sk-ant-xy token",
        "task-and-more",
    ],
)
def test_ordinary_text_is_not_a_secret(text: str) -> None:
    assert find_secrets(text.encode()) == []


def test_known_secrets_are_scrubbed_elsewhere_but_short_ones_are_not() -> None:
    data = b'{"text": "the token is ' + ACCESS.encode() + b' and abc"}'
    spans = secret_spans(data, [ACCESS, "abc"])
    assert b"".join(rewrite_chunks([data], spans)) == b'{"text": "the token is REDACTED and abc"}'


def test_a_token_handed_out_earlier_is_scrubbed_from_a_later_request() -> None:
    redactor = Redactor()
    token_response = CassetteResponse(
        200,
        "OK",
        {"content-type": ["application/json"]},
        (b'{"access_token": "' + ACCESS.encode()[:20], ACCESS.encode()[20:] + b'"}'),
    )
    exchange = CassetteRequest("POST", "https://auth.example/v1/oauth/token", {}, b"")
    stored = redactor.interaction(exchange, token_response, None)
    assert stored.response.body == b'{"access_token": "REDACTED"}'
    assert [len(c) for c in stored.response.chunks] == [len(b'{"access_token": "REDACTED'), 2]
    later = CassetteRequest(
        "POST",
        "https://api.example/v1/messages",
        {"authorization": [f"Bearer {ACCESS}"]},
        b'{"messages": [{"role": "user", "content": "echo ' + ACCESS[-12:].encode() + b'"}]}',
    )
    later_stored = redactor.request(later, None)
    assert later_stored.headers == {"authorization": [REDACTED]}
    assert ACCESS.encode() not in later_stored.body


def test_a_code_in_the_url_query_is_redacted() -> None:
    request = CassetteRequest("GET", f"http://127.0.0.1:1/callback?code={CODE}&state=s", {}, b"")
    assert (
        Redactor().request(request, None).uri == "http://127.0.0.1:1/callback?code=REDACTED&state=s"
    )


def test_the_workspace_becomes_a_placeholder_and_comes_back_chunk_by_chunk() -> None:
    workspace = "/tmp/demo-abc123/project"
    body = f'"file_path": "{workspace}/app.py", "other": "{workspace}2/x"'.encode()
    chunks = (body[:25], body[25:])
    stored = Redactor().response(CassetteResponse(200, "OK", {}, chunks), workspace)
    assert WORKSPACE_PLACEHOLDER.encode() + b"/app.py" in stored.body
    assert (workspace + "2/x").encode() in stored.body
    assert restore_chunks(stored, workspace) != list(chunks)  # the cut moved out of the path
    assert b"".join(restore_chunks(stored, workspace)) == body
    elsewhere = b"".join(restore_chunks(stored, "/home/u/w"))
    assert elsewhere == body.replace(f"{workspace}/".encode(), b"/home/u/w/")


def test_a_root_workspace_is_never_replaced() -> None:
    assert workspace_spans(b"/usr/bin", "/") == []


def test_a_live_request_compares_as_it_would_be_stored() -> None:
    live = CassetteRequest(
        "POST",
        "http://127.0.0.1:9/v1/messages",
        {"x-api-key": [API_KEY]},
        b'{"messages": [{"content": "read /w/s/a.py"}]}',
    )
    stored = comparable_request(live, "/w/s")
    assert stored.headers == {"x-api-key": [REDACTED]}
    assert (
        stored.body
        == b'{"messages": [{"content": "read ' + WORKSPACE_PLACEHOLDER.encode() + b'/a.py"}]}'
    )


def test_the_cassette_scan_flags_every_kind_of_leak() -> None:
    request = CassetteRequest(
        "POST",
        "https://auth.example/token?code=" + CODE,
        {"x-api-key": [API_KEY], "accept": ["*/*"]},
        b'{"grant_type": "authorization_code", "code": "' + CODE.encode() + b'"}',
    )
    response = CassetteResponse(200, "OK", {"set-cookie": ["s=abcdefghij"]}, ())
    cassette = Cassette((Interaction(request, response),))
    leaks = cassette_leaks(cassette, API_KEY.encode())
    assert leaks == [
        "key-shaped text sk-ant-api03...",
        "interaction 1 request header x-api-key",
        "interaction 1 response header set-cookie",
        "interaction 1 request body holds an OAuth secret field",
        "interaction 1 request URL holds an OAuth secret",
    ]
    clean = Cassette((Redactor().interaction(request, response, None),))
    assert cassette_leaks(clean, b"") == []


@pytest.mark.parametrize(
    "text",
    [
        "DB_PASSWORD=hunter2-from-dotenv\\nDEBUG=true",
        '{"service": {"apiKey": "abcdef123456"}}',
        "export GITHUB_TOKEN='tok-abcdefgh'",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG",
        "https://deploy:s3cretpass@git.example/repo.git",
        "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----",
    ],
)
def test_secret_named_values_keys_and_url_passwords_are_found(text: str) -> None:
    assert find_secrets(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        '{"max_tokens": 32000, "usage": {"input_tokens": 12, "output_tokens": 345678901}}',
        "keyword: something-long",
        "monkey=bananas-and-more",
        '"token_type": "bearer"',
        "API_KEY=REDACTED",
        "SSH_KEY_PATH=@@HEXCLAW_WORKSPACE@@/id",
        "https://REDACTED@host/x and https://example.com/a@b",
    ],
)
def test_ordinary_key_value_text_is_left_alone(text: str) -> None:
    assert find_secrets(text.encode()) == []
