"""What the loop knows about tools: a call, what it touches, its outcome, and the runner port.

Rules a reader must not break:
- A tool failure is an outcome with ``is_error``, never an exception through the loop.

What lives where: ``calls``, ``ports`` (``ToolRunner``, and ``ToolScheduler`` which runs a
batch of calls concurrently).
"""
