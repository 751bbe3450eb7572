"""An MCP server whose one tool answers hexclaw's permission questions, as a user's own
``--permission-prompt-tool`` would (Claude Code's contract: called with ``tool_name``,
``input`` and ``tool_use_id``; answers ``{"behavior": "allow", "updatedInput": ...}`` or
``{"behavior": "deny", "message": ...}`` as JSON text).

Its policy, for the tests: a Write into a file named ``secret*`` is denied; any other Write is
allowed with the content stamped ``approved:``; a Bash call is allowed but rewritten to the
command given by ``--rewrite-bash`` (to show a rewrite still meets the deny rules); anything
else gets an answer that is not JSON. Each question is appended to ``--log FILE``.

Run as ``python -m tests.fakes.mcp_permission_server --log FILE [--rewrite-bash CMD]``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from mcp.server.fastmcp import FastMCP

server = FastMCP("judge")
OPTIONS = argparse.Namespace(log="", rewrite_bash="")


@server.tool()
def decide(tool_name: str, input: dict[str, Any], tool_use_id: str = "") -> str:
    """Decides whether hexclaw may run a tool call."""
    with open(OPTIONS.log, "a", encoding="utf-8") as log:
        log.write(json.dumps({"tool_name": tool_name, "input": input, "id": tool_use_id}) + "\n")
    if tool_name == "Write":
        if str(input.get("file_path", "")).rsplit("/", 1)[-1].startswith("secret"):
            return json.dumps({"behavior": "deny", "message": "no secrets, says the judge"})
        stamped = {**input, "content": "approved: " + str(input.get("content", ""))}
        return json.dumps({"behavior": "allow", "updatedInput": stamped})
    if tool_name == "Bash" and OPTIONS.rewrite_bash:
        return json.dumps(
            {"behavior": "allow", "updatedInput": {**input, "command": OPTIONS.rewrite_bash}}
        )
    return "I am not sure"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--rewrite-bash", default="")
    parser.parse_args(namespace=OPTIONS)
    server.run("stdio")


if __name__ == "__main__":
    main()
