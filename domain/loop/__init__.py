"""The agent loop: one user turn from prompt to final answer, tools and permissions included.

Rules a reader must not break:
- The turn moves only through the transitions of ``turn_state``'s table.
- Every ``tool_use`` gets exactly one ``tool_result``, whatever happens (denial, error,
  interruption); an interrupted turn leaves a conversation the API accepts.
- A partial answer is kept marked incomplete and never re-sent.

- Calls of one message run in order, except batches of concurrency-safe calls
  (``tool_batches``), whose permissions are still decided one call at a time, in order,
  before any of them runs, and whose results keep the calls' order.

What lives where: ``agent_loop``, ``turn_state``, ``tool_batches`` (which calls may run at
once), ``ports`` (the ``TurnObserver`` the terminal and output formats implement).
"""
