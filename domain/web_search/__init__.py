"""Anthropic's ``web_search`` server tool, offered to the model as Claude Code's ``WebSearch``.

Rules a reader must not break:
- the search runs on Anthropic's side, in the middle of the answer: nobody can be asked
  about it, so it is offered only while the permission rules allow ``WebSearch`` outright (an
  allow rule from the user's own settings or the command line, or bypass mode); a deny rule or
  an ask takes it away, and a project's settings cannot allow it;
- its ``server_tool_use`` and ``web_search_tool_result`` blocks are content: they stay in the
  conversation as they came and are sent back unchanged (``domain.messages``);
- it is never run by hexclaw and never answered with a ``tool_result``.

What lives where: ``offer`` (the tool definition, what it touches, and a model client that
adds it to each request while it is allowed).
"""
