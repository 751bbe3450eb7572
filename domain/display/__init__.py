"""How things read when shown: one-line tool summaries and terminal-safe text.

Rules a reader must not break:
- Text from the model, tools or files goes through ``terminal_safety.printable`` before it
  reaches a terminal: no control sequence can retitle the terminal or write the clipboard.

What lives where: ``terminal_safety``, ``tool_display``.
"""
