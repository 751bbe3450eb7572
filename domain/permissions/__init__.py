"""The permission policy: allow, ask or deny for a tool call, from the mode and the rules.

Rules a reader must not break:
- Deny wins over everything; writes into ``.git/`` and ``.claude/`` always ask.
- What the shell splitter does not fully understand is ``dynamic``: it needs an exact rule
  and is never allowed by a prefix rule. Checks fail closed.
- Rules use Claude Code's syntax (``Bash(git diff:*)``, ``Read(./src/**)``).

What lives where: ``policy`` (the ``PermissionDecider``), ``rules`` (parsing and matching),
``shell_split`` (a command line into the pieces a rule judges), ``shell_wrappers`` (what a
piece really runs: ``sudo rm``, ``bash -c``), ``path_patterns`` (gitignore-style), ``ports``.
"""
