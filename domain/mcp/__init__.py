"""MCP (Model Context Protocol) servers as Claude Code users configure them: pure rules.

Rules a reader must not break:
- a server of a project's ``.mcp.json`` starts only once approved: by the user's own settings
  (``enableAllProjectMcpServers``, ``enabledMcpjsonServers``; ``disabledMcpjsonServers``
  wins) or by an approval in the trust ledger pinned to the digest of that server's entry,
  so a changed entry is asked about again. A project's own settings cannot approve it
  (``domain/settings/layer_trust.py`` drops those keys from project layers);
- an MCP tool is named ``mcp__<server>__<tool>``, both parts normalised as Claude Code does
  (anything outside ``[A-Za-z0-9_-]`` becomes ``_``), and is never "touches nothing" for the
  permission policy: its access kind is ``mcp``, which asks in every mode but bypass, and in
  ``plan`` mode runs only when the server marks the tool ``readOnlyHint: true``;
- no I/O: the files are read in ``adapters/mcp/config_files.py`` and the servers run in
  ``adapters/mcp/``; the environment used for ``${VAR}`` expansion is handed in;
- ``config.py`` and what it imports load no attrs (``ServerConfig`` is a NamedTuple): ``-p``
  decides from it which stdio servers to spawn before its heavy imports (``entrypoints/
  config.py`` says why).

What lives where:
- ``errors.py``: the area's error hierarchy;
- ``config.py``: a server entry (stdio, http, sse), its parsing and ``${VAR}`` expansion;
- ``scopes.py``: merging the scopes (local > project > user; ``--mcp-config`` on top, or alone
  with ``--strict-mcp-config``);
- ``approval.py``: which project servers may start, and the trust item pinning each;
- ``naming.py``: tool names, and the rule names that cover them;
- ``results.py``: a tool result's content blocks to what the model reads, with the output cap;
- ``elicitation.py``: a server's elicitation request as form fields, and typed answers;
- ``oauth_rules.py``: a ``WWW-Authenticate: Bearer`` challenge, the step-up scope of a 403
  ``insufficient_scope`` and the scope union the next login asks for, and what a client ID
  metadata document URL must look like.
- ``protocol.py``: JSON-RPC messages as MCP uses them: building them, classifying a received
  line, the protocol version handshake, pagination, progress and elicitation shapes;
- ``session.py``: the session port the hub talks to (stdio and remote sessions implement it);
- ``answer_watch.py``: a streamable HTTP POST's event stream read for its request's answer,
  so that a stream that breaks before it can be ended with the request's error;
- ``listing.py``: a server's answers (tools, prompts, resources, call results) checked into
  records.
"""
