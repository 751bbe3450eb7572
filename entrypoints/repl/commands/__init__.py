"""The REPL's slash commands: one registry, one module per family of commands.

Rules a reader must not break:
- A command is declared once, where its handler is: ``@command(name, summary, ...)`` holds its
  name, help text, argument kind and handler together (``registry.py``). ``/help``, Tab
  completion and dispatch all read the same registry.
- A handler reports a user mistake by raising a ``HexclawError`` (``CommandError``); the REPL
  shows it as one line and goes on. Handlers print through the renderer, never with ``print``.
- Handlers do no I/O of their own: git, the editor and the repository scan are adapters.

What lives where: ``registry`` (the registry, ``command``, errors), ``completion`` (Tab's
argument values), ``basics`` (/help /status /config), ``model_and_permissions``, ``reasoning``
(/effort),
``conversation`` (/clear /compact /cost /export), ``sessions`` (/sessions /resume),
``workspace`` (/memory /init /diff), ``rewind``, ``account`` (/login /logout), ``sandbox``
(/sandbox), ``extensions`` (/hooks /agents /trust and the custom commands from files),
``mcp`` (/mcp and the MCP servers' prompts as ``/mcp__server__prompt``),
``leaving`` (/exit).
Importing this package registers them all, in that order.
"""

# Each module registers its commands when imported; this order is /help's order.
# isort: off
from entrypoints.repl.commands import basics  # noqa: F401
from entrypoints.repl.commands import model_and_permissions  # noqa: F401
from entrypoints.repl.commands import reasoning  # noqa: F401
from entrypoints.repl.commands import conversation  # noqa: F401
from entrypoints.repl.commands import sessions  # noqa: F401
from entrypoints.repl.commands import workspace  # noqa: F401
from entrypoints.repl.commands import rewind  # noqa: F401
from entrypoints.repl.commands import account  # noqa: F401
from entrypoints.repl.commands import sandbox  # noqa: F401
from entrypoints.repl.commands import extensions  # noqa: F401
from entrypoints.repl.commands import mcp  # noqa: F401
from entrypoints.repl.commands import leaving  # noqa: F401

# isort: on
from entrypoints.repl.commands.completion import argument_values
from entrypoints.repl.commands.registry import REGISTRY

__all__ = ["REGISTRY", "argument_values"]
