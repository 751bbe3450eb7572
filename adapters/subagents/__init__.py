"""Running subagents: the ``Launcher`` behind the Agent tool, and what wraps a subagent's loop.

Rules a reader must not break:
- a subagent gets the parent's permission policy object itself (never a copy with more
  allowed; a worktree subagent, its view rooted at the worktree), the read-only decider on
  top for read-only types, and a question prompt that names the agent and is asked on the
  main thread, one question at a time;
- Ctrl-C reaches a subagent on a worker thread through its batch's ``StopSignal``: its
  client, tools and questions check it, so its loop settles its own conversation;
- a worktree subagent's built-in tools and policy come from the composition root
  (``SubagentParts.worktree_kit``), rooted at its worktree; the launcher never re-roots a tool;
- each subagent writes its own transcript (``agent-<id>.jsonl`` beside the parent session,
  under ``<session>/subagents/``), linked from the parent log by a ``subagent`` entry.

What lives where:
- ``launcher.py``: ``SubagentLauncher`` (builds and runs one subagent) and ``SubagentParts``;
- ``wrappers.py``: the stop-checking client and tools, the subagent's observer and prompt,
  the hooks a subagent fires (SubagentStop, never UserPromptSubmit), and ``one_at_a_time``
  (checkpointed file-changing calls of concurrent subagents take turns);
- ``worktrees.py``: the git of ``isolation: "worktree"`` (create a subagent's worktree, then
  remove it if it holds no work);
- ``current.py``: which Agent call the running code works for (raw stream events say so).
"""
