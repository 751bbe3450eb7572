"""Custom slash commands from files: finding them, and expanding one into the message sent.

Rules a reader must not break:
- a project command's ``!`cmd``` lines run only once the user approved that exact file
  (``domain/trust``), and each one only as the permission rules (plus the command's own
  ``allowed-tools``) allow; where nobody can be asked (``-p``) an ask is "not run";
- a project command's ``allowed-tools`` are judged as a project's settings' allow rules are
  (``domain.permissions.project_rules``) unless the user approved that exact file; refused
  ones are dropped with one line naming the file;
- an ``@path`` include is a read under the same rules: a denied or unapproved path is not read,
  and a project command's never leaves the workspace (as a project's CLAUDE.md imports);
- text an argument brings is never run or included (``domain/commands/custom.segments``).

What lives where:
- ``command_files.py``: ``load_commands`` (user, then project commands, which win) and the
  trust item of a project command;
- ``expander.py``: ``CommandExpander``, from ``/name args`` to the user message.
"""
