"""What an interaction looks like once stored: redacted, and portable across workspaces.

Storing replaces secrets with ``REDACTED`` (``domain.cassettes.redaction``), a request's ``system``
prompt with ``SYSTEM_PLACEHOLDER`` (it holds the user's instruction files, global ones
included, and a replay never compares it), and the workspace's absolute path with
``WORKSPACE_PLACEHOLDER``, so a session recorded in one folder replays in another
(tool inputs such as ``file_path`` are absolute). Replay puts the current workspace back chunk
by chunk: the placeholder is never split across chunks (``domain.cassettes.chunked_body``), so a
cassette replayed in the folder it was recorded in gives back exactly the bytes and chunks
that arrived. The workspace is put back JSON-escaped, as it appears in every Messages body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import attrs

from domain.cassettes.cassette import (
    Cassette,
    CassetteRequest,
    CassetteResponse,
    Headers,
    Interaction,
)
from domain.cassettes.chunked_body import Span, rewrite_chunks
from domain.cassettes.delta_fragments import delta_fragments, spans_across_fragments
from domain.cassettes.redaction import (
    MIN_SCRUBBED_SECRET,
    REDACTED,
    field_spans,
    find_secrets,
    form_field_spans,
    named_values,
    redact_headers,
    secret_spans,
    userinfo_secrets,
)
from domain.repr_base import Record

WORKSPACE_PLACEHOLDER = "@@HEXCLAW_WORKSPACE@@"
SYSTEM_PLACEHOLDER = "@@HEXCLAW_SYSTEM_PROMPT@@"
_PLACEHOLDER = WORKSPACE_PLACEHOLDER.encode()
# A path char right before or after the match means it is part of a longer path.
_PATH_CHAR = rb"A-Za-z0-9_\-"
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@attrs.define(repr=False)
class Redactor(Record):
    """Remembers every secret seen in a session, so a later echo of one is caught too."""

    known: set[str] = attrs.field(factory=set)

    def request(self, request: CassetteRequest, workspace: str | None) -> CassetteRequest:
        headers, header_secrets = redact_headers(request.headers)
        self.known.update(header_secrets)
        headers = self._scrubbed(headers)
        query_spans, query_secrets = _query_spans(request.uri)
        self.known.update(userinfo_secrets(request.uri))
        unprompted = without_system_prompt(request.body)
        body_spans, body_secrets = field_spans(unprompted)
        self.known.update(query_secrets, body_secrets)
        uri = _rewrite(request.uri.encode(), query_spans, self.known, None).decode()
        body = _rewrite(unprompted, body_spans, self.known, workspace)
        return attrs.evolve(request, uri=uri, headers=headers, body=body)

    def response(self, response: CassetteResponse, workspace: str | None) -> CassetteResponse:
        headers, header_secrets = redact_headers(response.headers)
        self.known.update(header_secrets)
        headers = self._scrubbed(headers)
        spans, body_secrets = field_spans(response.body)
        self.known.update(body_secrets)
        spans += secret_spans(response.body, self.known)
        spans += workspace_spans(response.body, workspace)
        # A streamed path or secret is often cut across two delta events.
        fragments = delta_fragments(response.body)
        if fragments:
            long_enough = [s for s in self.known if len(s) >= MIN_SCRUBBED_SECRET]
            spans += spans_across_fragments(fragments, long_enough, REDACTED.encode())
            if _usable(workspace):
                spans += spans_across_fragments(
                    fragments, _forms(str(workspace)), _PLACEHOLDER, _whole_path
                )
        return attrs.evolve(
            response, headers=headers, chunks=tuple(rewrite_chunks(response.chunks, spans))
        )

    def _scrubbed(self, headers: Headers) -> Headers:
        """Known secrets and key-shaped text out of the other headers' values too (a token an
        MCP server entry also puts in a header of its own naming)."""
        return {
            name: [_rewrite(v.encode(), [], self.known, None).decode() for v in values]
            for name, values in headers.items()
        }

    def interaction(
        self, request: CassetteRequest, response: CassetteResponse, workspace: str | None
    ) -> Interaction:
        # The request's secret-named values first, so the model's answer repeating one (cut
        # across stream events) is scrubbed; then the response: a token it hands out is then
        # scrubbed from the request too.
        self.known.update(named_values(request.body))
        self.known.update(redact_headers(request.headers)[1])  # a token the answer echoes
        stored_response = self.response(response, workspace)
        return Interaction(self.request(request, workspace), stored_response)


def comparable_request(
    request: CassetteRequest, workspace: str | None, secrets: Iterable[str] = ()
) -> CassetteRequest:
    """A live request as it would have been stored, so it can be compared with the cassette."""
    return Redactor(known=set(secrets)).request(request, workspace)


def without_system_prompt(body: bytes) -> bytes:
    """A JSON request body with its top-level ``system`` replaced by ``SYSTEM_PLACEHOLDER``.

    Written back the way the client writes a body (``json.dumps`` defaults, non-ASCII as is),
    so the rest of a hexclaw request keeps its bytes; any other body is returned unchanged.
    """
    if b'"system"' not in body:
        return body
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body
    if not isinstance(value, dict) or "system" not in value:
        return body
    value["system"] = SYSTEM_PLACEHOLDER
    return json.dumps(value, ensure_ascii=False).encode()


def restore_chunks(response: CassetteResponse, workspace: str | None) -> list[bytes]:
    """The response body as it arrived, with the workspace placeholder replaced chunk by chunk."""
    if workspace is None:
        return list(response.chunks)
    replacement = _json_escaped(workspace)
    return [chunk.replace(_PLACEHOLDER, replacement) for chunk in response.chunks]


def workspace_spans(data: bytes, workspace: str | None) -> list[Span]:
    if not _usable(workspace):
        return []
    spans: list[Span] = []
    for form in _forms(str(workspace)):
        pattern = re.compile(
            rb"(?<!["
            + _PATH_CHAR
            + rb"/.])"
            + re.escape(form.encode())
            + rb"(?!["
            + _PATH_CHAR
            + rb"])"
        )
        spans.extend((m.start(), m.end(), _PLACEHOLDER) for m in pattern.finditer(data))
    return spans


def _usable(workspace: str | None) -> bool:
    return bool(workspace) and str(workspace).rstrip("/") != ""


def _forms(workspace: str) -> set[str]:
    return {workspace, _json_escaped(workspace).decode()}


def _whole_path(text: str, start: int, end: int) -> bool:
    """The match is the whole workspace path, not part of a longer name or path."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    before_ok = not before or (before not in _NAME_CHARS and before not in "/.")
    after_ok = not after or after not in _NAME_CHARS
    return before_ok and after_ok


def cassette_leaks(cassette: Cassette, text: bytes, known: Iterable[str] = ()) -> list[str]:
    """What in a stored cassette (and its file's ``text``) still looks like a secret: key-shaped
    text, secret-named values, URL passwords, and any of the ``known`` secret values."""
    leaks = [f"key-shaped text {s[:12]}..." for s in find_secrets(text)]
    stored = text + b"".join(
        part
        for i in cassette.interactions
        for part in (i.request.uri.encode(), i.request.body, i.response.body)
    )
    leaks += [
        f"a known secret value {s[:3]}..."
        for s in sorted(set(known))
        if len(s) >= MIN_SCRUBBED_SECRET and any(f in stored for f in _secret_forms(s))
    ]
    for number, interaction in enumerate(cassette.interactions, start=1):
        request, response = interaction.request, interaction.response
        for where, headers in (("request", request.headers), ("response", response.headers)):
            leaks.extend(
                f"interaction {number} {where} header {name}"
                for name in _unredacted_headers(headers)
            )
        for where, body in (("request", request.body), ("response", response.body)):
            _, secrets = field_spans(body)
            if secrets:
                leaks.append(f"interaction {number} {where} body holds an OAuth secret field")
        if _query_spans(request.uri)[1]:
            leaks.append(f"interaction {number} request URL holds an OAuth secret")
    return leaks


def _secret_forms(secret: str) -> set[bytes]:
    return {secret.encode(), json.dumps(secret)[1:-1].encode()}


def _unredacted_headers(headers: Headers) -> list[str]:
    return [name for name in headers if redact_headers({name: headers[name]})[1]]


def _query_spans(uri: str) -> tuple[list[Span], list[str]]:
    question = uri.find("?")
    if question == -1:
        return [], []
    query = uri[question + 1 :].split("#", 1)[0].encode()
    return form_field_spans(query, offset=len(uri[: question + 1].encode()))


def _rewrite(data: bytes, spans: list[Span], known: Iterable[str], workspace: str | None) -> bytes:
    all_spans = spans + secret_spans(data, known) + workspace_spans(data, workspace)
    return b"".join(rewrite_chunks([data], all_spans))


def _json_escaped(text: str) -> bytes:
    """The text as it appears inside a JSON string (the client writes non-ASCII as is)."""
    return json.dumps(text, ensure_ascii=False)[1:-1].encode()
