"""A cassette: recorded HTTP interactions, and their form in a vcrpy cassette file.

The file format is vcrpy's (version 1: ``interactions`` of ``request`` and ``response``, each
body under ``body.string``), so vcrpy itself can load and replay every cassette. Two keys that
vcrpy ignores carry what it cannot express: ``body.chunk_lengths`` (the byte length of each
chunk the body arrived in) and ``body.ended_by_error`` (the transport error that cut a stream
short, when one did).
"""

from __future__ import annotations

from typing import Any

import attrs

from domain.cassettes.chunked_body import split_by_lengths
from domain.cassettes.errors import CassetteUnreadable
from domain.repr_base import Record

FORMAT_VERSION = 1

Headers = dict[str, list[str]]


@attrs.frozen(repr=False)
class CassetteRequest(Record):
    method: str
    uri: str
    headers: Headers
    body: bytes

    @property
    def target(self) -> str:
        """The path and query: what a replay compares, whatever host served the recording."""
        _, sep, rest = self.uri.partition("://")
        if not sep:
            return self.uri
        slash = rest.find("/")
        return rest[slash:] if slash != -1 else "/"

    @property
    def line(self) -> str:
        return f"{self.method} {self.target}"

    def header(self, name: str) -> str | None:
        for key, values in self.headers.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return None


@attrs.frozen(repr=False)
class CassetteResponse(Record):
    status: int
    reason: str
    headers: Headers
    chunks: tuple[bytes, ...]
    ended_by_error: str | None = None
    """The transport error that cut the body short while recording, if one did."""

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


@attrs.frozen(repr=False)
class Interaction(Record):
    request: CassetteRequest
    response: CassetteResponse
    mcp_server: str | None = None
    """The remote MCP server the exchange was with (the ``mcp_server`` key of the file, which
    vcrpy ignores); None for the model's API, which replays in order."""


@attrs.frozen(repr=False)
class Cassette(Record):
    interactions: tuple[Interaction, ...] = ()
    metadata: dict[str, Any] = attrs.field(factory=dict)

    def adding(self, interaction: Interaction) -> Cassette:
        return attrs.evolve(self, interactions=(*self.interactions, interaction))


def to_vcr_data(cassette: Cassette) -> dict[str, Any]:
    """The cassette as the data of a vcrpy cassette file."""
    data: dict[str, Any] = {
        "interactions": [_interaction_data(i) for i in cassette.interactions],
        "version": FORMAT_VERSION,
    }
    if cassette.metadata:
        data["metadata"] = dict(cassette.metadata)
    return data


def from_vcr_data(data: object, source: str) -> Cassette:
    """A cassette from loaded vcrpy YAML; ``CassetteUnreadable`` says what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteUnreadable(source, "it is not a vcrpy cassette (no `interactions` list)")
    if data.get("version") != FORMAT_VERSION:
        raise CassetteUnreadable(
            source, f"cassette format version {data.get('version')!r} (expected {FORMAT_VERSION})"
        )
    interactions = []
    for number, raw in enumerate(data["interactions"], start=1):
        try:
            interactions.append(_interaction(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CassetteUnreadable(
                source, f"interaction {number} is malformed ({type(exc).__name__}: {exc})"
            ) from None
    metadata = data.get("metadata")
    return Cassette(tuple(interactions), dict(metadata) if isinstance(metadata, dict) else {})


def _interaction_data(interaction: Interaction) -> dict[str, Any]:
    request, response = interaction.request, interaction.response
    body: dict[str, Any] = {
        "string": _text_or_bytes(response.body),
        "chunk_lengths": [len(c) for c in response.chunks],
    }
    if response.ended_by_error is not None:
        body["ended_by_error"] = response.ended_by_error
    data: dict[str, Any] = (
        {} if interaction.mcp_server is None else {"mcp_server": interaction.mcp_server}
    )
    return data | {
        "request": {
            "body": _text_or_bytes(request.body) if request.body else None,
            "headers": {k: list(v) for k, v in request.headers.items()},
            "method": request.method,
            "uri": request.uri,
        },
        "response": {
            "body": body,
            "headers": {k: list(v) for k, v in response.headers.items()},
            "status": {"code": response.status, "message": response.reason},
        },
    }


def _interaction(raw: dict[str, Any]) -> Interaction:
    req, resp = raw["request"], raw["response"]
    request = CassetteRequest(
        method=str(req["method"]).upper(),
        uri=str(req["uri"]),
        headers=_headers(req.get("headers") or {}),
        body=_bytes(req.get("body")),
    )
    body = resp.get("body") or {}
    content = _bytes(body.get("string"))
    lengths = body.get("chunk_lengths")
    if lengths is None:
        chunks = [content] if content else []
    else:
        if not all(isinstance(n, int) and n > 0 for n in lengths):
            raise ValueError("chunk_lengths must be positive whole numbers")
        if sum(lengths) != len(content):
            raise ValueError(
                f"chunk_lengths add up to {sum(lengths)} bytes but the body has {len(content)}"
            )
        chunks = split_by_lengths(content, lengths)
    status = resp["status"]
    ended = body.get("ended_by_error")
    response = CassetteResponse(
        status=int(status["code"]),
        reason=str(status.get("message") or ""),
        headers=_headers(resp.get("headers") or {}),
        chunks=tuple(chunks),
        ended_by_error=str(ended) if ended is not None else None,
    )
    server = raw.get("mcp_server")
    return Interaction(request, response, str(server) if server is not None else None)


def _headers(raw: dict[str, Any]) -> Headers:
    return {
        str(k): [str(v) for v in (values if isinstance(values, list) else [values])]
        for k, values in raw.items()
    }


def _bytes(value: object) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"a body must be text or bytes, not {type(value).__name__}")


def _text_or_bytes(body: bytes) -> str | bytes:
    """Text when the body is UTF-8, as vcrpy writes it; raw bytes (``!!binary``) otherwise."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body
