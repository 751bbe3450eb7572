"""The conversation sent to the API, and compaction.

Rules a reader must not break:
- Every ``tool_use`` is answered by exactly one ``tool_result`` in the next user message, and
  roles alternate; a log cut by a crash is repaired before it is sent.
- Compaction changes nothing unless the summary arrived; the session file keeps the full history.

What lives where: ``transcript`` (the ``Conversation`` and its rules), ``compaction_plan``
(how full, when, what to summarise), ``compaction_run`` (the summary call and the swap),
``export`` (Markdown for ``/export``), ``ports`` (the session recorder).
"""
