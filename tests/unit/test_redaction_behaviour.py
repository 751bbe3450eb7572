"""Redaction behaviours a mutation run found no test pinning down: odd but real inputs
(padding in cookies, Digest credentials, URL passwords, percent escapes, bytes that are not
UTF-8) and secrets that occur more than once."""

from __future__ import annotations

from domain.cassettes.chunked_body import rewrite_chunks
from domain.cassettes.redaction import (
    field_spans,
    find_secrets,
    form_field_spans,
    named_values,
    redact_headers,
    secret_spans,
    userinfo_secrets,
)

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2ln"


def apply_fields(body: bytes) -> bytes:
    spans, _ = field_spans(body)
    return b"".join(rewrite_chunks([body], spans))


def test_a_form_body_after_blank_lines_is_redacted_in_place() -> None:
    assert apply_fields(b"\n  code=secret1234&x=1") == b"\n  code=REDACTED&x=1"


def test_a_form_value_holding_equals_signs_is_replaced_whole() -> None:
    spans, secrets = form_field_spans(b"code=abc=defgh123&x=1")
    assert b"".join(rewrite_chunks([b"code=abc=defgh123&x=1"], spans)) == b"code=REDACTED&x=1"
    assert secrets == ["abc=defgh123"]


def test_a_form_value_is_remembered_decoded_and_as_sent() -> None:
    _, secrets = form_field_spans(b"code=caf%c3%a9+au+lait")
    assert set(secrets) == {"caf%c3%a9+au+lait", "café au lait"}
    _, kept = form_field_spans(b"code=%zz%XX%4")
    assert kept == ["%zz%XX%4"]
    _, raw = form_field_spans("code=café1234".encode())
    assert set(raw) == {"caf\ufffd\ufffd1234", "café1234"}
    _, invalid = form_field_spans(b"code=%ff%fe1234")
    assert set(invalid) == {"%ff%fe1234", "\ufffd\ufffd1234"}


def test_every_occurrence_of_a_known_secret_is_found_however_many() -> None:
    data = b"a supersecret1 b supersecret1 c supersecret1 d"
    spans = secret_spans(data, ["supersecret1"])
    assert b"".join(rewrite_chunks([data], spans)) == b"a REDACTED b REDACTED c REDACTED d"


def test_a_name_that_is_not_secret_does_not_hide_a_later_one() -> None:
    assert named_values(b"user=alice12345 password=hunter2hunter2") == ["hunter2hunter2"]


def test_values_that_are_not_utf8_are_still_found() -> None:
    assert named_values(b"API_KEY=abc\xffdefgh") == ["abc\ufffddefgh"]
    assert find_secrets(b"API_KEY=abc\xffdefgh") == ["abc\ufffddefgh"]


def test_the_longest_of_overlapping_secrets_is_reported_once() -> None:
    assert find_secrets(f"token={JWT}:more".encode()) == [f"{JWT}:more"]


def test_an_authorization_header_remembers_everything_after_its_scheme() -> None:
    digest = 'Digest username="u", response="abc123"'
    assert redact_headers({"authorization": [digest]})[1] == ['username="u", response="abc123"']
    assert redact_headers({"cookie": ["sid=YWJjZGVm=="]})[1] == ["YWJjZGVm=="]


def test_a_url_password_is_remembered_with_its_user_and_decoded() -> None:
    assert userinfo_secrets("https://user:p%40ss:x@host/x") == ["user:p%40ss:x", "p@ss:x"]
    assert userinfo_secrets("https://token123@host/x") == ["token123"]
    assert userinfo_secrets("see https://REDACTED@a/ and https://u:pw12@b/") == [
        "u:pw12",
        "pw12",
    ]
    assert userinfo_secrets("https://host/x") == []


def test_every_url_password_in_a_text_is_remembered() -> None:
    assert userinfo_secrets("https://a:pw1@x/ and https://b:pw2@y/") == [
        "a:pw1",
        "pw1",
        "b:pw2",
        "pw2",
    ]
