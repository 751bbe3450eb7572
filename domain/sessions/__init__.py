"""Saved sessions: the log format, its replay into a conversation, and retention.

Rules a reader must not break:
- The log is append-only JSONL with a versioned header; a torn last line is skipped, a newer
  version is refused and left unchanged.

What lives where: ``log``, ``retention`` (``cleanupPeriodDays``), ``errors``.
"""
