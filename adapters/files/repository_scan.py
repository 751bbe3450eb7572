"""What ``/init`` reads of a repository to draft a starter CLAUDE.md: its top-level entries,
Makefile targets and package.json scripts. Unreadable parts are left out, never an error."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.files.bounded_read import NotARegularFile, read_bounded
from domain.context.starter_instructions import RepositoryFacts

# Enough for any real Makefile or package.json; a larger one is read only this far.
MAX_READ_BYTES = 1_000_000


def repository_facts(workspace: Path) -> RepositoryFacts:
    names: list[str] = []
    try:
        for entry in sorted(workspace.iterdir()):
            names.append(entry.name + ("/" if entry.is_dir() else ""))
    except OSError:
        pass
    return RepositoryFacts(
        workspace.name, names, _make_targets(workspace), _package_scripts(workspace)
    )


def _read_text(path: Path) -> str | None:
    try:
        return read_bounded(path, MAX_READ_BYTES).data.decode("utf-8", errors="replace")
    except (OSError, NotARegularFile):
        return None


def _make_targets(workspace: Path) -> list[str]:
    targets: list[str] = []
    text = _read_text(workspace / "Makefile") or ""
    for line in text.splitlines():
        head, colon, _ = line.partition(":")
        if colon and head and not head.startswith(("\t", " ", ".", "#")) and "=" not in head:
            targets.extend(head.split())
    return targets


def _package_scripts(workspace: Path) -> dict[str, str]:
    text = _read_text(workspace / "package.json")
    if text is None:
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    if isinstance(loaded, dict) and isinstance(loaded.get("scripts"), dict):
        return {str(k): str(v) for k, v in loaded["scripts"].items()}
    return {}
