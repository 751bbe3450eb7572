"""MCP servers, run through the official ``mcp`` SDK (imported only when a server is configured).

Rules a reader must not break:
- the SDK's async API is wrapped in one place, ``hub.py``: one background thread runs an
  asyncio loop; each server lives in one task of it (so the SDK's context managers are entered
  and left in the same task); hexclaw's synchronous side waits on futures. Ctrl-C during a
  call cancels it and sends ``notifications/cancelled`` to the server;
- servers start in parallel with one deadline (``MCP_TIMEOUT`` ms, default 30 s); one that
  fails is a line in the status, never an exception for the session;
- a stdio server runs in its own process group (``stdio_transport.py``); every group started
  is stopped (TERM, a grace period, KILL) at exit, whatever the exit path that runs Python's
  ``atexit`` (normal end, an error, Ctrl-C, SIGTERM);
- nothing here decides trust: bootstrap hands in only the servers that may start.

What lives where:
- ``config_files.py``: reading ``.claude.json``, ``.mcp.json``, settings and ``--mcp-config``;
  writing ``.claude.json`` and ``.mcp.json`` atomically for ``hexclaw mcp add/remove``;
- ``stdio_process.py``: starting stdio servers (before the SDK is imported) in their own
  process groups, and stopping those groups;
- ``stdio_transport.py``: the stdio transport over a started process;
- ``hub.py``: ``McpHub``, the sessions, their tools, resources, prompts and elicitations;
- ``oauth.py``: remote servers' OAuth through the SDK's provider, tokens in credentials.json;
- ``tools.py``: the tools the model sees (``mcp__server__tool``, ``ListMcpResourcesTool``,
  ``ReadMcpResourceTool``).
"""
