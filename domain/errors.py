"""The root of hexclaw's error hierarchy.

Each area (streaming, the API, auth, tools, sessions, settings) subclasses
``HexclawError`` in its own module. Entry points turn these into one-line
messages; nothing below them prints.
"""


class HexclawError(Exception):
    """Anything hexclaw reports to the user as a clear one-line error."""

    exit_code = 1
