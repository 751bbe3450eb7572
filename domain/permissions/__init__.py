"""The permission policy: allow, ask or deny for a tool call, from the mode and the rules.

Rules a reader must not break:
- Deny wins over everything; writes that decide what a later run does (``.git/``,
  ``.claude/``, hook folders, ``CLAUDE.md``, a file git reads as part of a repository such as
  ``HEAD`` or ``config``) always ask.
- What the shell splitter does not fully understand is ``dynamic``: it needs an exact rule
  and is never allowed by a prefix rule. The splitter is an allowlist: new syntax is dynamic
  until it is read. Checks fail closed.
- Options that write or run (``git diff --output``) live in one table, ``command_options``;
  a prefix rule never covers them.
- Rules use Claude Code's syntax (``Bash(git diff:*)``, ``Read(./src/**)``).

What lives where: ``policy`` (the ``PermissionDecider``), ``rules`` (parsing and matching),
``shell_split`` (a command line into the pieces a rule judges), ``shell_wrappers`` (what a
piece really runs: ``sudo rm``, ``bash -c``), ``command_options`` (options that write or run),
``path_patterns`` (gitignore-style), ``choices`` (the command line's permission flags, and
whether print mode offers tools), ``ports``, ``explain`` (``hexclaw permissions explain``:
the policy's verdict with its checks and rules).
"""
