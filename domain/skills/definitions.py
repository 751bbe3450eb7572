"""One skill: ``SKILL.md`` frontmatter ``name``, ``description``, optional ``allowed-tools``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from domain.commands.custom import CustomCommand
from domain.extensions.frontmatter import parse_markdown, tool_list
from domain.repr_base import Record

SkillScope = Literal["project", "user"]
LISTING_BUDGET = 8_000  # characters of names and descriptions in the context
DESCRIPTION_LIMIT = 250
LISTING_HEAD = "The following skills are available for use with the Skill tool:"


@attrs.frozen(repr=False)
class SkillDefinition(Record):
    name: str
    description: str
    body: str = attrs.field(repr=False)
    base_dir: str = ""
    allowed_tools: tuple[str, ...] = ()
    scope: SkillScope = "user"
    scripts: tuple[str, ...] = ()
    """Files of the folder other than SKILL.md that can run (relative paths)."""

    def loaded_text(self) -> str:
        """What the Skill tool hands the model, as Claude Code does."""
        return f"Base directory for this skill: {self.base_dir}\n\n{self.body.strip()}"


@attrs.frozen(repr=False)
class LoadedExtensions(Record):
    """The skills and custom commands of a run (the model sees them through tools)."""

    skills: tuple[SkillDefinition, ...] = ()
    commands: tuple[CustomCommand, ...] = ()


def parse_skill(
    text: str, folder_name: str, base_dir: str, scope: SkillScope, scripts: Sequence[str] = ()
) -> SkillDefinition | str:
    doc = parse_markdown(text)
    name = doc.text("name") or folder_name
    description = doc.text("description")
    if not description:
        return f"{base_dir}/SKILL.md: skill {name!r} has no description (skipped)"
    return SkillDefinition(
        name=name,
        description=description,
        body=doc.body,
        base_dir=base_dir,
        allowed_tools=tool_list(doc.values.get("allowed-tools")) or (),
        scope=scope,
        scripts=tuple(scripts),
    )


def listing(
    skills: Sequence[SkillDefinition],
    commands: Sequence[CustomCommand] = (),
    budget: int = LISTING_BUDGET,
) -> str:
    """``- NAME: description`` lines (skills, then commands the model may run), cut to the
    budget: a description is shortened first, then the rest is counted, never dropped silently."""
    entries = [(s.name, s.description) for s in skills]
    entries += [
        (f"/{c.name}", c.description)
        for c in commands
        if not c.disable_model_invocation and c.description
    ]
    if not entries:
        return ""
    lines = [LISTING_HEAD, ""]
    used = sum(len(line) + 1 for line in lines)
    for index, (name, description) in enumerate(entries):
        short = (
            description
            if len(description) <= DESCRIPTION_LIMIT
            else (description[: DESCRIPTION_LIMIT - 1] + "…")
        )
        line = f"- {name}: {short}"
        if used + len(line) + 1 > budget:
            lines.append(f"({len(entries) - index} more not listed: over the listing budget)")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)
