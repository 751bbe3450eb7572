"""What never reaches a cassette: credentials in headers, OAuth secrets in bodies, key-shaped text.

Redaction works on spans of the raw bytes (see ``domain.cassettes.chunked_body``) instead of
re-serialising a body, so everything but the secret itself keeps its exact bytes. Three rules:

1. private headers (``x-api-key``, ``authorization``, cookies...) and secret-named ones (an MCP
   server's ``X-Auth-Token``, ``X-Goog-Api-Key``...) are replaced whole;
2. the OAuth fields ``code``, ``code_verifier``, ``access_token``, ``refresh_token`` (and kin) are
   replaced at the top level of a JSON body, in a form-encoded body and in a URL query, and only
   there, because ``code`` is also an everyday key inside tool inputs;
3. every secret found by rules 1 and 2, every value the caller knows to be secret (the
   secret-named environment variables the system prompt also hides), and anything shaped like
   a known kind of key or token (private key blocks included), is replaced wherever else it
   appears;
4. the value of a secret-named key in any text (``DB_PASSWORD=…`` printed by ``env`` or read
   from ``.env``, ``"api_key": "…"`` deep in a JSON file) is replaced, as is the user and
   password part of a URL (``https://user:pass@host``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence

from domain.cassettes.chunked_body import Span

REDACTED = "REDACTED"
_REDACTED = REDACTED.encode()

PRIVATE_HEADERS = frozenset(
    {
        "x-api-key",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "anthropic-organization-id",
    }
)
SECRET_FIELDS = frozenset(
    {
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
    }
)
# A known secret shorter than this is only replaced where it was found, never elsewhere:
# scrubbing every "abc" out of a cassette would damage it more than it protects anything.
MIN_SCRUBBED_SECRET = 8

_NOT_REDACTED = rb"(?!REDACTED\b)"
SECRET_PATTERNS: tuple[re.Pattern[bytes], ...] = (
    re.compile(rb"sk-ant-" + _NOT_REDACTED + rb"[A-Za-z0-9_\-]{8,}"),
    re.compile(rb"(?<![A-Za-z0-9_\-])sk-" + _NOT_REDACTED + rb"[A-Za-z0-9_\-]{20,}"),
    re.compile(rb"(?i:bearer)\s+(" + _NOT_REDACTED + rb"[A-Za-z0-9._~+/\-]{8,}=*)"),
    re.compile(rb"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
    re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    re.compile(rb"\bgithub_pat_[A-Za-z0-9_]{30,}"),
    re.compile(rb"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(rb"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    re.compile(
        rb"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----" + _NOT_REDACTED + rb".*?-----END[A-Z0-9 ]*-----",
        re.DOTALL,
    ),
)
# ``NAME=value``, ``NAME: value``, ``"NAME": "value"`` (also JSON-escaped, inside a string):
# the name is checked word by word (``_secret_name``), the value is 8 or more characters.
_NAMED_VALUE = re.compile(
    rb"(?<![A-Za-z0-9_.\-])([A-Za-z][A-Za-z0-9_.\-]*)(?:\\?[\"'])?[ \t]*[=:][ \t]*"
    rb"(?:\\?[\"']([^\"'\\\r\n]{8,})(?=\\?[\"'])|([^\s\"'\\,;&<>()\[\]{}]{8,}))"
)
SECRET_WORDS = frozenset(
    {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "credential", "credentials"}
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")
_USERINFO = re.compile(rb"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://([^/\s\"'@?#\\]+)@")
_NOT_A_VALUE = (REDACTED.encode(), b"@@HEXCLAW")

_FORM_BODY = re.compile(rb"^[A-Za-z0-9_.~%+\-]+=[^&\s]*(?:&[A-Za-z0-9_.~%+\-]+=[^&\s]*)*$")
_JSON_STRING = rb'("(?:[^"\\]|\\.)*")'


def redact_headers(
    headers: Mapping[str, Sequence[str]],
) -> tuple[dict[str, list[str]], list[str]]:
    """The headers with private values replaced, and the secrets they held."""
    kept: dict[str, list[str]] = {}
    secrets: list[str] = []
    for name, values in headers.items():
        if name.lower() in PRIVATE_HEADERS or _secret_name(name.encode("ascii", "replace")):
            kept[name] = [REDACTED for _ in values]
            for value in values:
                if value != REDACTED:
                    secrets.extend(_header_secrets(name.lower(), value))
        else:
            kept[name] = list(values)
    return kept, secrets


def field_spans(body: bytes) -> tuple[list[Span], list[str]]:
    """Spans of the OAuth secret fields in a JSON or form-encoded body, and their values."""
    stripped = body.strip()
    if stripped.startswith(b"{"):
        return _json_field_spans(body)
    if _FORM_BODY.match(stripped):
        offset = body.index(stripped[:1]) if stripped else 0
        return form_field_spans(stripped, offset)
    return [], []


def form_field_spans(encoded: bytes, offset: int = 0) -> tuple[list[Span], list[str]]:
    """Spans of the secret fields in ``k=v&k=v`` text (a form body or a URL query)."""
    spans: list[Span] = []
    secrets: list[str] = []
    position = offset
    for pair in encoded.split(b"&"):
        name, sep, value = pair.partition(b"=")
        start = position + len(name) + len(sep)
        if sep and value and _percent_decode(name) in SECRET_FIELDS:
            decoded = _percent_decode(value)
            if decoded != REDACTED:
                spans.append((start, start + len(value), _REDACTED))
                secrets.extend({decoded, value.decode("ascii", "replace")})
        position += len(pair) + 1
    return spans, secrets


def secret_spans(data: bytes, known: Iterable[str]) -> list[Span]:
    """Spans of every known secret (raw or JSON-escaped) and of every key-shaped string."""
    spans: list[Span] = []
    for secret in known:
        if len(secret) < MIN_SCRUBBED_SECRET:
            continue
        for form in _forms_of(secret):
            start = data.find(form)
            while start != -1:
                spans.append((start, start + len(form), _REDACTED))
                start = data.find(form, start + len(form))
    for pattern in SECRET_PATTERNS:
        for match in pattern.finditer(data):
            group = 1 if pattern.groups else 0
            spans.append((match.start(group), match.end(group), _REDACTED))
    return spans + named_value_spans(data) + userinfo_spans(data)


def named_value_spans(data: bytes) -> list[Span]:
    """Spans of the values of secret-named keys (``API_KEY=…``, ``"password": "…"``)."""
    spans: list[Span] = []
    for match in _NAMED_VALUE.finditer(data):
        group = 2 if match.group(2) is not None else 3
        value = match.group(group)
        if value.startswith(_NOT_A_VALUE) or value.isdigit() or not _secret_name(match.group(1)):
            continue
        spans.append((match.start(group), match.end(group), _REDACTED))
    return spans


def named_values(data: bytes) -> list[str]:
    """The values of secret-named keys in ``data`` (to scrub wherever else they appear)."""
    return [data[start:end].decode("utf-8", "replace") for start, end, _ in named_value_spans(data)]


def userinfo_spans(data: bytes) -> list[Span]:
    """Spans of the ``user:password`` part of URLs."""
    return [
        (m.start(1), m.end(1), _REDACTED)
        for m in _USERINFO.finditer(data)
        if m.group(1) != _REDACTED
    ]


def userinfo_secrets(uri: str) -> list[str]:
    """The password (and the whole ``user:password``) of a URL, to scrub wherever they appear."""
    found: list[str] = []
    for match in _USERINFO.finditer(uri.encode()):
        userinfo = match.group(1).decode("utf-8", "replace")
        if userinfo == REDACTED:
            continue
        _, _, password = userinfo.partition(":")
        found += [userinfo, _percent_decode(password.encode())] if password else [userinfo]
    return found


def _secret_name(name: bytes) -> bool:
    """``DB_PASSWORD``, ``apiKey``, ``aws.secret``: a word of the name says it holds a secret;
    ``max_tokens`` or ``keyword`` do not."""
    return any(word.lower() in SECRET_WORDS for word in _NAME_WORDS.findall(name.decode("ascii")))


def find_secrets(data: bytes) -> list[str]:
    """Key- or token-shaped strings in ``data``: what a cassette must never hold."""
    spans = sorted(secret_spans(data, ()), key=lambda s: (s[0], -s[1]))
    found: list[str] = []
    reached = 0
    for start, end, _ in spans:
        if start >= reached:  # two patterns matching one secret report it once
            found.append(data[start:end].decode("utf-8", "replace"))
            reached = end
    return found


def _header_secrets(name: str, value: str) -> list[str]:
    if name in ("authorization", "proxy-authorization"):
        scheme, _, credential = value.partition(" ")
        return [credential.strip()] if credential.strip() else [scheme]
    if name in ("cookie", "set-cookie"):
        pairs = value.split(";") if name == "cookie" else value.split(";")[:1]
        return [v.strip() for _, _, v in (p.partition("=") for p in pairs) if v.strip()]
    return [value]


def _json_field_spans(body: bytes) -> tuple[list[Span], list[str]]:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return [], []
    if not isinstance(parsed, dict):
        return [], []
    spans: list[Span] = []
    secrets: list[str] = []
    for key, value in parsed.items():
        if key not in SECRET_FIELDS or not isinstance(value, str) or value == REDACTED:
            continue
        secrets.append(value)
        pattern = re.compile(b'"' + re.escape(key.encode()) + rb'"\s*:\s*' + _JSON_STRING)
        for match in pattern.finditer(body):
            if json.loads(match.group(1)) == value:
                spans.append((match.start(1) + 1, match.end(1) - 1, _REDACTED))
    return spans, secrets


def _forms_of(secret: str) -> set[bytes]:
    return {secret.encode(), json.dumps(secret)[1:-1].encode()}


def _percent_decode(raw: bytes) -> str:
    """Form decoding by hand (``+`` is a space): the domain may not import ``urllib``."""
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == ord("+"):
            out.append(ord(" "))
        elif byte == ord("%") and _is_hex(raw[i + 1 : i + 3]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 2
        else:
            out.append(byte)
        i += 1
    return out.decode("utf-8", "replace")


def _is_hex(pair: bytes) -> bool:
    return len(pair) == 2 and all(chr(b) in "0123456789abcdefABCDEF" for b in pair)
