"""Headless mode's adapters: standard input and output as a message channel, and the tools
and checks only headless runs need.

What lives where:
- ``stdio_channel``: reads NDJSON lines from stdin on a thread, hands user messages to the
  main thread, routes control lines, and writes output lines one at a time;
- ``turn_interrupt``: ends the running turn from the reader thread as Ctrl-C would;
- ``control_prompt``: the ``PermissionPrompt`` that asks the client program with a
  ``can_use_tool`` control request;
- ``json_schema``: JSON Schema checks with the ``jsonschema`` library (imported lazily);
- ``structured_output_tool``: the ``StructuredOutput`` tool of ``--json-schema``;
- ``rule_lines``: the file and line a permission rule came from, for ``permissions explain``.

Rules a reader must not break:
- only the channel writes to stdout in stream mode, one whole line at a time under its lock,
  so a control response never lands inside another line;
- the reader thread never runs a turn: it queues messages and answers control requests.
"""
