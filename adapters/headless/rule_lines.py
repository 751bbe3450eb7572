"""Where a permission rule was written: the settings file and line that hold it, for
``hexclaw permissions explain``. A rule from a flag (``--allowedTools``) names the flag."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path


class RuleLocator:
    def __init__(self, settings_files: Sequence[str]) -> None:
        # The layers' sources, in the order they were merged; inline --settings is no file.
        self._files = [f for f in settings_files if not f.startswith("-")]

    def __call__(self, rule: str, source: str, behavior: str) -> str:
        candidates = [source] if source and not source.startswith("-") else []
        candidates += [f for f in self._files if f not in candidates]
        needle = json.dumps(rule, ensure_ascii=False)
        for path in candidates:
            line = _line_of(Path(path), needle, behavior)
            if line is not None:
                return f"{path}:{line}"
        return source or "settings"


def _line_of(path: Path, needle: str, behavior: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    found: int | None = None
    in_list = False
    for number, line in enumerate(lines, 1):
        # Prefer the occurrence inside the list of the rule's kind ("allow": [...]).
        if f'"{behavior}"' in line:
            in_list = True
        if needle in line:
            if in_list:
                return number
            found = found or number
        if in_list and "]" in line.split(needle)[-1]:
            in_list = False
    return found
