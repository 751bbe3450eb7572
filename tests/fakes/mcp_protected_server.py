"""An MCP server (FastMCP, streamable HTTP on 127.0.0.1) that accepts only access tokens the
test OAuth server (``tests/fakes/oauth/server.mjs``) says are live, through its introspection
endpoint. It answers 401 with ``WWW-Authenticate: Bearer resource_metadata=...`` and serves
its protected-resource metadata (RFC 9728) naming that authorization server.

``python -m tests.fakes.mcp_protected_server PORT ISSUER_URL``
"""

from __future__ import annotations

import json
import sys
import urllib.request

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from pydantic import AnyHttpUrl


class IntrospectingVerifier:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    async def verify_token(self, token: str) -> AccessToken | None:
        request = urllib.request.Request(
            f"{self.issuer}/introspect",
            data=json.dumps({"token": token}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            live = json.loads(answer.read()).get("active") is True
        return AccessToken(token=token, client_id="any", scopes=["mcp"]) if live else None


def main() -> None:
    port, issuer = int(sys.argv[1]), sys.argv[2]
    url = f"http://127.0.0.1:{port}/mcp"
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

    server.run("streamable-http")


if __name__ == "__main__":
    main()
