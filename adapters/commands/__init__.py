"""Custom slash commands from files: finding them, and expanding one into the message sent.

Rules a reader must not break:
- a project command's ``!`cmd``` lines run only once the user approved that exact file
  (``domain/trust``), and each one only as the permission rules (plus the command's own
  ``allowed-tools``) allow; where nobody can be asked (``-p``) an ask is "not run";
- an ``@path`` include is a read under the same rules: a denied or unapproved path is not read;
- text an argument brings is never run or included (``domain/commands/custom.segments``).

What lives where:
- ``command_files.py``: ``load_commands`` (user, then project commands, which win) and the
  trust item of a project command;
- ``expander.py``: ``CommandExpander``, from ``/name args`` to the user message.
"""
