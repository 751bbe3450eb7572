"""Headless mode's entry points: the flags, the stream-json session, the control handler and
``hexclaw permissions explain``.

What lives where:
- ``arguments``: the headless flags on the main parser and their checks (standard library
  only: it runs when ``--help`` does);
- ``stream_session``: ``-p --input-format stream-json``, one turn per input message;
- ``control_handler``: answers the client's control requests;
- ``structured``: ``--json-schema`` for the print and stream modes;
- ``explain_command``: ``hexclaw permissions explain``.

Rules a reader must not break:
- one ``session_id`` for the whole stream session, an init line before each turn and a
  result line after it, whatever happened in the turn;
- errors leave as ``HexclawError``; ``entrypoints/run.py`` prints them.
"""
