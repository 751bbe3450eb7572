"""Gitignore-style path patterns, as permission rules use them (``Read(./src/**)``, ``Edit(*.md)``).

A pattern is matched against a path relative to a base directory:
- a pattern with a slash (other than a trailing one) is anchored at the base; one without
  matches a name at any depth (``*.md``, ``.env``);
- ``*`` and ``?`` never cross a slash, ``**`` does, ``[...]`` is a character class,
  a backslash escapes the next character;
- a pattern that names a directory also covers everything inside it, as in .gitignore.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache


def relative_to(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` (both absolute), or None when it is not inside."""
    path = posixpath.normpath(path)
    base = posixpath.normpath(base)
    if path == base:
        return ""
    prefix = base if base.endswith("/") else base + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def relative_matcher(patterns: list[str]) -> re.Pattern[str]:
    """One compiled regex that fully matches a normalised relative path against any pattern."""
    return re.compile("|".join(f"(?:{_compile(p).pattern})" for p in patterns), re.DOTALL)


def matches(pattern: str, base: str, path: str) -> bool:
    """Whether the absolute ``path`` matches ``pattern`` taken relative to ``base``."""
    rel = relative_to(path, base)
    if rel is None:
        return False
    return _compile(pattern).fullmatch(rel) is not None


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    body = pattern.rstrip("/") if pattern not in ("", "/") else ""
    anchored = "/" in body
    body = body.lstrip("/")
    if not body or body == "**":
        return re.compile(".*", re.DOTALL)
    regex = _translate(body)
    if not anchored:
        regex = "(?:.*/)?" + regex
    # A match on a directory covers what is inside it.
    return re.compile(regex + "(?:/.*)?", re.DOTALL)


def _translate(body: str) -> str:
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        if body.startswith("**/", i) and (i == 0 or body[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == n:
            out.append("(?:/.*)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "\\" and i + 1 < n:
            out.append(re.escape(body[i + 1]))
            i += 2
        elif char == "[":
            end = _class_end(body, i)
            if end < 0:
                out.append(re.escape(char))
                i += 1
            else:
                inner = body[i + 1 : end]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append("[" + inner.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _class_end(body: str, start: int) -> int:
    i = start + 1
    if i < len(body) and body[i] in "!^":
        i += 1
    if i < len(body) and body[i] == "]":
        i += 1
    return body.find("]", i)


def escape(path: str) -> str:
    """A pattern that matches exactly ``path`` (used for "allow for this session" rules)."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", path)
