"""The REPL's terminal: input, rendering and the permission menu.

Rules a reader must not break:
- Everything shown passes through the one sanitiser; colour is off when not a TTY or NO_COLOR.

What lives where: ``repl_input`` (prompt_toolkit), ``renderer`` (rich), ``permission_menu``.
"""
