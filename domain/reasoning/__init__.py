"""Extended thinking and effort: which model takes what, and how each request asks for it.

Rules a reader must not break:
- ``models`` is the one table of what a model family accepts (budget thinking, adaptive
  thinking, ``disabled``, the interleaved-thinking beta, effort levels); nothing else guesses
  from a model name;
- a budget is always at least 1,024 tokens and below the request's ``max_tokens`` (the API
  refuses anything else), and a thinking request never carries a temperature other than 1;
- an explicit budget (``--max-thinking-tokens``, then ``MAX_THINKING_TOKENS``) wins over the
  settings, the REPL's toggle and the words of a prompt; 0 turns thinking off;
- a side call (a compaction summary) is sent as it is, without thinking;
- thinking blocks themselves are content (``domain.messages``): nothing here touches them.

What lives where: ``models`` (the family table), ``prompt_words`` ("think", "think hard",
"ultrathink"...), ``plan`` (the controls a run holds and the request they shape),
``client`` (a ``ModelClient`` that shapes every request on its way out), ``errors``.
"""
