"""``load_skills``: user skills, then project ones (which replace a user skill of the same name)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from adapters.files.trust_store import workspace_key
from domain.skills.definitions import SkillDefinition, SkillScope, parse_skill
from domain.trust.items import TrustItem
from domain.trust.ledger import TrustCheck, TrustLedger
from domain.trust.notices import skipped_line

SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".js", ".mjs", ".ts", ".rb", ".pl", ".ps1")
MAX_FOLDER_BYTES = 4 * 1024 * 1024


def load_skills(
    workspace: Path,
    home: Path,
    ledger: TrustLedger | None,
    warnings: list[str],
    approve: Callable[[TrustCheck], bool] | None = None,
) -> list[SkillDefinition]:
    """``ledger`` None: nothing is approved yet. ``approve`` asks about (and stores) a project
    skill with scripts that is not; without it such a skill is left out with a warning."""
    found: dict[str, SkillDefinition] = {}
    folders: list[tuple[Path, SkillScope]] = [
        (home / "skills", "user"),
        (workspace / ".claude" / "skills", "project"),
    ]
    for folder, scope in folders:
        for skill in _read_folder(folder, scope, warnings):
            if scope == "project" and skill.scripts:
                item = skill_trust_item(skill, workspace)
                check = (ledger or TrustLedger()).check(item)
                if check.verdict != "approved" and not (approve is not None and approve(check)):
                    warnings.append(skipped_line(check))
                    continue
            found[skill.name] = skill
    return sorted(found.values(), key=lambda s: s.name)


def project_skill_items(workspace: Path) -> list[TrustItem]:
    """The trust items of the project's skills that bring scripts, as they are now."""
    skills = _read_folder(workspace / ".claude" / "skills", "project", [])
    return [skill_trust_item(skill, workspace) for skill in skills if skill.scripts]


def _read_folder(folder: Path, scope: SkillScope, warnings: list[str]) -> list[SkillDefinition]:
    if not folder.is_dir():
        return []
    skills = []
    for skill_file in sorted(folder.glob("*/SKILL.md")):
        base = skill_file.parent
        try:
            text = skill_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{skill_file}: cannot read the skill ({exc.__class__.__name__})")
            continue
        parsed = parse_skill(text, base.name, str(base), scope, _scripts(base))
        if isinstance(parsed, str):
            warnings.append(parsed)
        else:
            skills.append(parsed)
    return skills


def _files(base: Path) -> list[Path]:
    return sorted(p for p in base.rglob("*") if p.is_file() or p.is_symlink())


def _scripts(base: Path) -> list[str]:
    found = []
    for path in _files(base):
        if path.name == "SKILL.md":
            continue
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if path.suffix in SCRIPT_SUFFIXES or mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
            found.append(str(path.relative_to(base)))
    return found


def skill_trust_item(skill: SkillDefinition, workspace: Path) -> TrustItem:
    """The whole folder is pinned: every file's path and bytes (a symlink by its target)."""
    base = Path(skill.base_dir)
    content = bytearray()
    total = 0
    for path in _files(base):
        relative = str(path.relative_to(base))
        if path.is_symlink():
            data = b"symlink:" + os.readlink(path).encode()
        else:
            try:
                data = path.read_bytes() if total < MAX_FOLDER_BYTES else b"(too large)"
            except OSError:
                data = b"(unreadable)"
        total += len(data)
        content += f"--- {relative} ({len(data)} bytes)\n".encode() + data + b"\n"
    root = workspace_key(workspace)
    relative_dir = str(Path(workspace_key(base)).relative_to(root))
    # Shown when asking: the scripts' names, then every file as it is.
    summary = f"skill {skill.name} brings scripts: {', '.join(skill.scripts)}\n\n" + content.decode(
        "utf-8", errors="replace"
    )
    return TrustItem("skill", root, relative_dir, bytes(content), summary=summary)
