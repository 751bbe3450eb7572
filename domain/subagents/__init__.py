"""Subagents: the ``Agent`` tool's types, what each may use, and how its request is shaped.

Rules a reader must not break:
- a subagent is a fresh conversation: its first user message is the prompt alone;
- its tools are its agent's list: a custom agent's ``tools`` exactly (those the parent has),
  the parent's for general-purpose (``Agent`` included below ``MAX_DEPTH``), the read-only
  set for Explore and Plan;
- its permissions are never looser than the parent's: the same policy object (rules, mode,
  session answers), and for a read-only type a refusal of anything that writes or runs
  something other than a read-only command, checked before the parent's policy; a worktree
  subagent's is the same policy rooted at its worktree (``PermissionPolicy.rooted_at``: shared
  mode, rules and answers; deny and ask rules matched from both roots);
- ``Task``, the tool's former name, counts as ``Agent`` in rules, hook matchers and calls.

What lives where:
- ``builtin.py``: general-purpose, Explore, Plan;
- ``selection.py``: which agent a call names, its tools, its model, its system prompt;
- ``agents_flag.py``: ``--agents JSON``;
- ``read_only.py``: the read-only decider of Explore and Plan;
- ``request.py``: the Agent tool's input, checked;
- ``worktree_plan.py``: ``isolation: "worktree"`` without the git: names, the base ref,
  "has changes?", the result line;
- ``ports.py``: ``SubagentView``, what the terminal and the output formats show of a subagent;
- ``errors.py``.
"""
