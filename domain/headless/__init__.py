"""Headless mode: hexclaw as a building block for scripts, CI and other programs.

What lives where:
- ``errors``: the area's error hierarchy (bad input lines, budget, structured output);
- ``input_lines``: one NDJSON line of ``--input-format stream-json`` read into a user
  message, a control request or a control response;
- ``control``: the control protocol's shapes (``control_request`` / ``control_response``,
  Claude Code's names), and a permission answer read from a ``can_use_tool`` response;
- ``output_lines``: the stream-json output lines that are not the loop's own messages
  (init, result, stream events, replayed user messages) and ``SCHEMA_VERSION``;
- ``budget``: ``--max-budget-usd``, a model client that refuses a call it expects to exceed
  the budget; ``fallback``: ``--fallback-model``, a client that moves to another model after
  an overload;
- ``structured_output``: ``--json-schema``, the tool the model answers through and its
  attempts.

Rules a reader must not break:
- the line shapes are Claude Code's where Claude Code has them; a change to any output shape
  bumps ``SCHEMA_VERSION`` and the schemas in ``docs/headless/``;
- nothing here reads stdin, writes stdout or checks a clock: the adapters and entry points do.
"""
