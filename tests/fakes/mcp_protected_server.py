"""An MCP server (FastMCP on 127.0.0.1: streamable HTTP at ``/mcp``, or with ``--sse`` the
legacy SSE transport at ``/sse``, its messages POSTed to ``/messages/``) that accepts only
access tokens the test OAuth server (``tests/fakes/oauth/server.mjs``) says are live, through
its introspection endpoint. It answers 401 with ``WWW-Authenticate: Bearer
resource_metadata=...`` and serves its protected-resource metadata (RFC 9728) naming that
authorization server.

Every tool needs the scope ``mcp``; the tool ``publish`` also needs ``mcp:write``: a call of
it with a token lacking that scope is answered 403 with ``WWW-Authenticate: Bearer
error="insufficient_scope", scope="mcp:write"`` (step-up, RFC 6750 §3.1), before the MCP
layer sees it. With a third argument (``-``: none), each ``publish`` call appends one JSON line
(``{"tool", "allowed", "scopes"}``) to that file; with a fourth, ``initialize`` needs
``mcp:write`` too once that file exists (a server that starts demanding more), and with
``--sse`` the event stream's GET too when the file says ``stream``.

``python -m tests.fakes.mcp_protected_server [--sse] PORT ISSUER [CALL_LOG|- [INIT_FLAG]]``
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.request
from typing import Any

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from pydantic import AnyHttpUrl

WRITE_SCOPE = "mcp:write"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def introspect(issuer: str, token: str) -> list[str] | None:
    """The token's scopes when the authorization server says it is live, else None."""
    request = urllib.request.Request(
        f"{issuer}/introspect",
        data=json.dumps({"token": token}).encode(),
        headers={"content-type": "application/json"},
    )
    with _OPENER.open(request, timeout=10) as answer:
        found = json.loads(answer.read())
    if found.get("active") is not True:
        return None
    return str(found.get("scope") or "").split()


class IntrospectingVerifier:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    async def verify_token(self, token: str) -> AccessToken | None:
        scopes = await asyncio.to_thread(introspect, self.issuer, token)
        return None if scopes is None else AccessToken(token=token, client_id="any", scopes=scopes)


def step_up_guard(
    app: Any, issuer: str, metadata_url: str, log: str | None, flag: str | None
) -> Any:
    """Answers 403 ``insufficient_scope`` to a ``publish`` call without ``mcp:write``, and to
    ``initialize`` too once the file ``flag`` exists; when that file says ``stream``, to the
    SSE transport's event-stream GET (``/sse``) as well (a legacy server's first request)."""

    def flagged(stream: bool) -> bool:
        if flag is None or not os.path.exists(flag):
            return False
        with open(flag, encoding="utf-8") as handle:
            return not stream or handle.read().strip() == "stream"

    async def scopes_of(scope: dict[str, Any]) -> list[str] | None:
        """The token's scopes, None when it is not live: that is FastMCP's to answer (401);
        only a live token lacking the scope gets the step-up 403."""
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").decode().removeprefix("Bearer ")
        return await asyncio.to_thread(introspect, issuer, token)

    async def refuse(send: Any, what: str) -> None:
        challenge = (
            f'Bearer error="insufficient_scope", scope="{WRITE_SCOPE}", '
            f'resource_metadata="{metadata_url}", '
            f'error_description="{what} needs the mcp:write scope"'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"www-authenticate", challenge.encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b'{"error":"insufficient_scope"}'})

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        stream = scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/sse"
        if stream and flagged(stream=True):
            scopes = await scopes_of(scope)
            if scopes is not None and WRITE_SCOPE not in scopes:
                await refuse(send, "the event stream")
                return
        if scope["type"] != "http" or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            call = json.loads(body)
        except ValueError:
            call = None
        method = call.get("method") if isinstance(call, dict) else None
        publish = method == "tools/call" and call.get("params", {}).get("name") == "publish"
        stepped_up = method == "initialize" and flagged(stream=False)
        if publish or stepped_up:
            scopes = await scopes_of(scope)
            allowed = scopes is None or WRITE_SCOPE in scopes
            if log and publish and scopes is not None:
                with open(log, "a", encoding="utf-8") as handle:
                    entry = {"tool": "publish", "allowed": allowed, "scopes": scopes}
                    handle.write(json.dumps(entry) + "\n")
            if not allowed:
                await refuse(send, str(method))
                return
        replay = iter(messages)

        async def again() -> Any:
            return next(replay, None) or await receive()

        await app(scope, again, send)

    return guarded


def main() -> None:
    sse = "--sse" in sys.argv[1:]
    args = [arg for arg in sys.argv[1:] if arg != "--sse"]
    port, issuer = int(args[0]), args[1]
    log = args[2] if len(args) > 2 and args[2] != "-" else None
    flag = args[3] if len(args) > 3 else None
    path = "/sse" if sse else "/mcp"
    url = f"http://127.0.0.1:{port}{path}"
    server = FastMCP(
        "protected",
        host="127.0.0.1",
        port=port,
        log_level="WARNING",
        token_verifier=IntrospectingVerifier(issuer),
        auth=AuthSettings(
            issuer_url=AnyHttpUrl(issuer),
            resource_server_url=AnyHttpUrl(url),
            required_scopes=["mcp"],
            validate_token_resource=False,
        ),
    )

    @server.tool()
    def whoami() -> str:
        """Says the caller was let in."""
        return "authorized"

    @server.tool()
    def publish(text: str) -> str:
        """Publishes a note (needs the mcp:write scope)."""
        return f"published: {text}"

    import uvicorn

    metadata_url = f"http://127.0.0.1:{port}/.well-known/oauth-protected-resource{path}"
    # The guard sees every POST: the streamable transport's and the SSE one's messages alike.
    served = server.sse_app() if sse else server.streamable_http_app()
    app = step_up_guard(served, issuer, metadata_url, log, flag)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
