"""Cassettes: recorded HTTP interactions, how they are stored, matched and redacted.

Rules a reader must not break:
- Nothing secret reaches a cassette: ``redaction`` works on spans of the raw bytes, so
  everything but the secret keeps its exact bytes, and chunk boundaries survive.
- The Nth live request must match the Nth recording; a mismatch names the request and field.
  Remote MCP exchanges (tagged with their server) are matched by key instead, server by server
  (``mcp_exchanges``): JSON-RPC ids and session ids differ between runs.

What lives where: ``cassette`` (the model and vcrpy's file form), ``storage`` (what an
interaction looks like once stored), ``match``, ``redaction``, ``chunked_body`` and
``delta_fragments`` (editing a streamed body in place), ``mcp_exchanges`` (what a replayed MCP
request must match, ids fitted, standing SSE streams), ``errors``.
"""
