"""MCP servers: stdio ones through hexclaw's lean JSON-RPC session, remote ones (streamable HTTP,
SSE) through the official ``mcp`` SDK, imported only when such a server is configured.

Rules a reader must not break:
- the async sessions are wrapped in one place, ``hub.py``: one background thread runs an
  asyncio loop; each server lives in one task of it (so the sessions' context managers are
  entered and left in the same task); hexclaw's synchronous side waits on futures. Ctrl-C
  during a call cancels it and sends ``notifications/cancelled`` to the server;
- a session is the port of ``domain/mcp/session.py`` and returns plain JSON; the hub turns it
  into records (``domain/mcp/listing.py``), whichever session it came from. Nothing on the
  stdio path imports ``mcp`` or ``pydantic`` (0.7 s of imports): a ``-p`` run with stdio
  servers only does not load them;
- servers start in parallel with one deadline (``MCP_TIMEOUT`` ms, default 30 s); one that
  fails is a line in the status, never an exception for the session;
- a stdio server runs in its own process group (``stdio_transport.py``); every group started
  is stopped (TERM, a grace period, KILL) at exit, whatever the exit path that runs Python's
  ``atexit`` (normal end, an error, Ctrl-C, SIGTERM);
- nothing here decides trust: bootstrap hands in only the servers that may start.

What lives where:
- ``config_files.py``: reading ``.claude.json``, ``.mcp.json``, settings and ``--mcp-config``;
  writing ``.claude.json`` and ``.mcp.json`` atomically for ``hexclaw mcp add/remove``;
- ``stdio_process.py``: starting stdio servers (early, so they start while hexclaw does) in
  their own process groups, and stopping those groups;
- ``stdio_session.py``: the lean session over a started process's pipes (no SDK);
- ``sdk_session.py``: the SDK's ``ClientSession`` for remote servers, as the same port;
- ``sse_relay.py``: between the legacy SSE transport and the session, a stream hexclaw can put
  its own answer on (a step-up 403's error: the SDK's SSE client drops POST answers);
- ``http_answers.py``: the httpx client of a streamable HTTP server, which answers a call
  whose POST breaks (the server died mid-call) with its "connection closed" error, where the
  SDK alone leaves it waiting;
- ``output_schema.py``: ``structuredContent`` checked against a tool's ``outputSchema``;
- ``hub.py``: ``McpHub``, the sessions, their tools, resources, prompts and elicitations;
- ``oauth.py``: remote servers' OAuth through the SDK's provider, tokens in credentials.json;
- ``tools.py``: the tools the model sees (``mcp__server__tool``, ``ListMcpResourcesTool``,
  ``ReadMcpResourceTool``).
"""
