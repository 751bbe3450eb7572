"""Every entry of every redaction table, one case each: every private header, every OAuth
secret field, every shape of key or token, every secret word in a name. The lists are
written here, not imported, so that a header, field or pattern dropped from the code fails
a test; each secret shape is one that no other rule would catch."""

from __future__ import annotations

import json

import pytest

from domain.cassettes.chunked_body import rewrite_chunks
from domain.cassettes.redaction import (
    REDACTED,
    field_spans,
    find_secrets,
    form_field_spans,
    named_values,
    redact_headers,
    secret_spans,
)

PRIVATE_HEADERS = [
    "x-api-key",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "anthropic-organization-id",
]
SECRET_FIELDS = [
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "api_key",
    "accessToken",
    "refreshToken",
    "codeVerifier",
]
# One sample per shape, each caught by its own pattern only.
SECRET_SHAPES = [
    "sk-ant-api03-abcdefgh",
    "sk-proj-abcdefghijklmnopqrst",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    *(f"gh{kind}_" + "x" * 36 for kind in "pousr"),
    "github_pat_" + "A1_" * 12,
    "AKIAABCDEFGHIJKLMNOP",
    *(f"xox{kind}-1234567890-abcdef" for kind in "abposr"),
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\nMIIEow\n-----END PRIVATE KEY-----",
]
SECRET_WORDS = [
    "key",
    "apikey",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "credential",
    "credentials",
]


def redacted(data: bytes, known: list[str]) -> bytes:
    return b"".join(rewrite_chunks([data], secret_spans(data, known)))


@pytest.mark.parametrize("name", PRIVATE_HEADERS)
def test_every_private_header_is_replaced_whatever_its_case(name: str) -> None:
    for spelled in (name, name.upper(), name.title()):
        kept, secrets = redact_headers({spelled: ["s=abcdefgh12345"], "accept": ["*/*"]})
        assert kept == {spelled: [REDACTED], "accept": ["*/*"]}
        assert secrets
        assert all(secret in "s=abcdefgh12345" for secret in secrets)


def test_an_authorization_header_remembers_the_credential_not_the_scheme() -> None:
    for name in ("Authorization", "Proxy-Authorization"):
        assert redact_headers({name: ["Basic dXNlcjpwYXNz"]})[1] == ["dXNlcjpwYXNz"]
        assert redact_headers({name: ["dXNlcjpwYXNz"]})[1] == ["dXNlcjpwYXNz"]
    assert redact_headers({"cookie": ["a=one1; b=two2"]})[1] == ["one1", "two2"]
    assert redact_headers({"set-cookie": ["a=one1; Path=/"]})[1] == ["one1"]
    assert redact_headers({"x-api-key": [REDACTED]})[1] == []


@pytest.mark.parametrize("field", SECRET_FIELDS)
def test_every_oauth_secret_field_is_replaced_in_json_and_form_bodies(field: str) -> None:
    value = "value-1234567890"
    body = json.dumps({field: value, "grant_type": "x"}).encode()
    spans, secrets = field_spans(body)
    assert (
        b"".join(rewrite_chunks([body], spans))
        == json.dumps({field: REDACTED, "grant_type": "x"}).encode()
    )
    assert secrets == [value]
    form = f"grant_type=x&{field}={value}".encode()
    spans, secrets = form_field_spans(form)
    assert b"".join(rewrite_chunks([form], spans)) == f"grant_type=x&{field}={REDACTED}".encode()
    assert secrets == [value]


def test_a_field_that_is_not_an_oauth_secret_is_kept() -> None:
    for body in (b'{"grant_type": "authorization_code"}', b"grant_type=authorization_code"):
        assert field_spans(body) == ([], [])


@pytest.mark.parametrize("shape", SECRET_SHAPES)
def test_every_shape_of_key_or_token_is_found_alone(shape: str) -> None:
    assert find_secrets(f"before {shape} after".encode()) == [shape]
    assert redacted(f"before {shape} after".encode(), []) == b"before REDACTED after"


def test_a_bearer_credential_is_found_without_its_scheme() -> None:
    assert find_secrets(b"send Bearer abcdefgh12345 now") == ["abcdefgh12345"]
    assert find_secrets(b"send bearer  abcdefgh12345= now") == ["abcdefgh12345="]


@pytest.mark.parametrize("word", SECRET_WORDS)
def test_every_secret_word_makes_a_name_hold_a_secret(word: str) -> None:
    for name in (f"DB_{word.upper()}", f"my{word.title()}", f"svc.{word}"):
        assert named_values(f"{name}=hunter2hunter2".encode()) == ["hunter2hunter2"], name
    assert named_values(f"{word}x_max=hunter2hunter2".encode()) == []


def test_a_value_already_replaced_or_a_placeholder_is_not_a_secret() -> None:
    assert named_values(b"API_KEY=REDACTED_x") == []
    assert named_values(b"API_KEY=@@HEXCLAW_WORKSPACE@@") == []
    assert named_values(b"API_KEY=123456789") == []


def test_every_occurrence_of_a_known_secret_is_scrubbed() -> None:
    data = b"one supersecret1 two supersecret1 three"
    assert redacted(data, ["supersecret1"]) == b"one REDACTED two REDACTED three"


def test_a_short_known_secret_does_not_stop_the_longer_ones_being_scrubbed() -> None:
    data = b"abc and supersecret1"
    assert redacted(data, ["abc", "supersecret1"]) == b"abc and REDACTED"


def test_a_known_secret_is_scrubbed_in_its_json_escaped_form_too() -> None:
    secret = 'pa"ss\\word1'
    data = json.dumps({"text": f"it is {secret}"}).encode()
    assert redacted(data, [secret]) == b'{"text": "it is REDACTED"}'


def test_a_known_secret_of_exactly_eight_characters_is_scrubbed() -> None:
    assert redacted(b"x 12345678 y", ["12345678"]) == b"x REDACTED y"
    assert redacted(b"x 1234567 y", ["1234567"]) == b"x 1234567 y"


def test_a_header_name_outside_ascii_is_judged_by_its_ascii_words() -> None:
    kept, secrets = redact_headers({"X-Säfe-Token": ["s3cr3t-value-1"], "X-Grüße": ["hallo"]})
    assert kept == {"X-Säfe-Token": [REDACTED], "X-Grüße": ["hallo"]}
    assert secrets == ["s3cr3t-value-1"]
