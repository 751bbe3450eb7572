"""Streaming a Messages response: SSE framing, reduction to a message, live updates.

Rules a reader must not break:
- Framing (``sse``) is separate from reduction (``reducer``); bytes may be split anywhere.
- A tool input's JSON is parsed strictly at block stop; a bad one is marked, never run.
- Errors carry the partial message, so an interruption can keep what streamed.

What lives where: ``sse``, ``reducer``, ``updates``, ``partial_message``, ``errors``,
``ports`` (the ``ModelClient``), ``prompt_cache`` (a client that marks cache breakpoints).
"""
