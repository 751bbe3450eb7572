"""What Glob, Grep and LS share: the workspace, the one path they read, and what they hide.

A deny rule such as ``Read(./.env)`` is checked against the path a search starts from, but
a search shows what lies below it, so each path a search would show is checked as well and
left out when a deny rule covers it (as written and as resolved).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.workspace import ResolvedPath, Workspace
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess

PathFilter = Callable[[str], bool]
# For a tool's name, the paths deny rules keep from it (None: nothing is hidden).
HiddenPaths = Callable[[str], PathFilter | None]


class SearchTool:
    name: str
    description: str
    schema: JSONObject
    # Glob, Grep and LS change nothing and ask nothing while they run: they may run beside
    # other such calls of the same message.
    concurrency_safe = True

    def __init__(self, workspace: Workspace, hidden_paths: HiddenPaths | None = None) -> None:
        self.workspace = workspace
        self._hidden_paths = hidden_paths

    def definition(self) -> JSONObject:
        return {"name": self.name, "description": self.description, "input_schema": self.schema}

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        path = tool_input.get("path")
        return self.workspace.access(self.name, "read", path if isinstance(path, str) else ".")

    def directory(self, raw: str | None, file_hint: str = "") -> ResolvedPath:
        """The directory a search starts from (the workspace root by default)."""
        root = self.workspace.resolve(raw or ".")
        shown = self.workspace.display(root.given)
        try:
            info = os.stat(root.real)
        except FileNotFoundError:
            raise ToolError(f"{shown} does not exist") from None
        if not stat.S_ISDIR(info.st_mode):
            raise ToolError(f"{shown} is not a directory{file_hint}")
        return root

    def hidden_below(self, given: str, real: str) -> PathFilter | None:
        """For this call: whether a path relative to the search root (``given``, resolved as
        ``real``) is hidden; None when no deny rule concerns this tool."""
        hidden = self._hidden_paths(self.name) if self._hidden_paths is not None else None
        if hidden is None:
            return None
        check = hidden
        if given == real:
            return lambda rel: check(os.path.join(given, rel))
        return lambda rel: check(os.path.join(given, rel)) or check(os.path.join(real, rel))
