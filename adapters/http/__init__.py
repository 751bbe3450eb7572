"""httpx, imported without its command line.

httpx's ``__init__`` imports ``httpx._main`` (its command-line client: click, rich, pygments,
about 60 ms) whenever click is importable, and the MCP SDK's dependencies install click. hexclaw
never runs httpx's command line, so every adapter imports httpx from here: an empty
``httpx._main`` placed first makes that import fail fast, and httpx falls back to the stub
``main`` it defines for an install without its CLI extras.
"""

from __future__ import annotations

import sys
import types

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))

import httpx

__all__ = ["httpx"]
