"""Markdown files with YAML frontmatter, as Claude Code's commands, skills and agents are."""

from __future__ import annotations

import re
from typing import Any

import attrs

from domain.repr_base import Record

_FENCE = re.compile(r"\A---[ \t]*\r?\n(?P<front>.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_-]+)[ \t]*:[ \t]*(?P<value>.*)$")


@attrs.frozen(repr=False)
class MarkdownFile(Record):
    values: dict[str, Any]
    body: str
    problem: str = ""
    """Why the frontmatter could not be read as YAML (the line fallback was used)."""
    lines: dict[str, str] = attrs.field(factory=dict)
    """Each ``key: value`` line as written: ``argument-hint: [file]`` is text, not a list."""

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).strip()

    def flag(self, key: str) -> bool:
        value = self.values.get(key)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "yes", "1")
        return value is True


def parse_markdown(text: str) -> MarkdownFile:
    text = text.removeprefix("\ufeff")
    match = _FENCE.match(text)
    if match is None:
        return MarkdownFile({}, text)
    front, body = match.group("front"), text[match.end() :]
    lines = _line_values(front)
    import yaml  # only files with frontmatter need it; most runs read none

    try:
        loaded = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        return MarkdownFile(lines, body, f"frontmatter is not valid YAML{line}", lines)
    if not isinstance(loaded, dict):
        return MarkdownFile(lines, body, "frontmatter is not a mapping", lines)
    return MarkdownFile({str(k): v for k, v in loaded.items()}, body, "", lines)


def _line_values(front: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for line in front.splitlines():
        match = _LINE.match(line)
        if match:
            values[match.group("key")] = match.group("value").strip().strip("'\"")
    return values


def tool_list(value: object) -> tuple[str, ...] | None:
    """``tools: Read, Grep`` or a YAML list; None when absent (meaning: inherit all).

    Commas inside parentheses do not split: ``Bash(git add:*), Read``."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value)
    names: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            names.append(text[start:index])
            start = index + 1
    names.append(text[start:])
    return tuple(name.strip() for name in names if name.strip())
