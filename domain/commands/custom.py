"""Custom slash commands: ``.claude/commands/**/*.md`` (project) and the user's own, in
Claude Code's format (frontmatter ``description``, ``argument-hint``, ``allowed-tools``,
``model``, ``disable-model-invocation``; the body is the prompt)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import attrs

from domain.commands.arguments import has_placeholders, substitute
from domain.extensions.frontmatter import parse_markdown, tool_list
from domain.messages.content import ContentBlock, TextBlock
from domain.repr_base import Record

CommandScope = Literal["project", "user"]
# ``!`cmd``` runs before sending; Claude Code reads one per backquoted span after a ``!``.
_BANG = re.compile(r"!`(?P<command>[^`\n]+)`")
_MENTION = re.compile(r"(?:^|(?<=\s))@(?P<path>[^\s@`]+)")
_TRAILING = ".,;:!?)]}'\""
_NAME_PART = re.compile(r"^[A-Za-z0-9_.-]+$")


@attrs.frozen(repr=False)
class CustomCommand(Record):
    name: str
    description: str
    body: str = attrs.field(repr=False)
    argument_hint: str = ""
    allowed_tools: tuple[str, ...] = ()
    model: str | None = None
    disable_model_invocation: bool = False
    source: str = ""
    scope: CommandScope = "user"

    @property
    def bang_commands(self) -> list[str]:
        """The ``!`cmd``` lines the body would run (before arguments are put in)."""
        return [m.group("command") for m in _BANG.finditer(self.body)]

    @property
    def label(self) -> str:
        return f"{self.description} ({self.scope})" if self.description else f"({self.scope})"


def command_name(relative_parts: Sequence[str]) -> str | None:
    """``frontend/test.md`` is ``frontend:test``; None for a name that cannot be typed."""
    *folders, file = relative_parts
    stem = file[:-3] if file.endswith(".md") else file
    parts = [*folders, stem]
    if not all(_NAME_PART.match(part) for part in parts):
        return None
    return ":".join(parts)


def parse_command(text: str, name: str, source: str, scope: CommandScope) -> CustomCommand:
    doc = parse_markdown(text)
    description = doc.text("description")
    if not description:
        # Claude Code shows the body's first line when there is no description.
        first = next((line.strip() for line in doc.body.splitlines() if line.strip()), "")
        description = first[:80]
    return CustomCommand(
        name=name,
        description=description,
        body=doc.body,
        argument_hint=doc.lines.get("argument-hint", ""),
        allowed_tools=tool_list(doc.values.get("allowed-tools")) or (),
        model=doc.text("model") or None,
        disable_model_invocation=doc.flag("disable-model-invocation"),
        source=source,
        scope=scope,
    )


@attrs.frozen(repr=False)
class Segment(Record):
    """A piece of the body: text, a ``!`cmd``` to run, or an ``@path`` to include."""

    kind: Literal["text", "bang", "mention"]
    text: str


def segments(command: CustomCommand, raw_args: str) -> list[Segment]:
    """The body cut where the author wrote ``!`cmd``` and ``@path``, arguments put in each
    piece separately: text an argument brings is never read as a command or an include."""
    body = command.body
    if raw_args.strip() and not has_placeholders(body):
        # Claude Code's rule for a body that does not place its arguments: they go at the end.
        body = f"{body.rstrip()}\n\nARGUMENTS: $ARGUMENTS"
    found: list[Segment] = []
    at = 0
    for match in _markers(body):
        if match[0] > at:
            found.append(Segment("text", substitute(body[at : match[0]], raw_args)))
        kind, value = match[2], match[3]
        found.append(Segment(kind, substitute(value, raw_args) if kind == "bang" else value))
        if kind == "mention":
            found.append(Segment("text", "@" + value))
        at = match[1]
    if at < len(body):
        found.append(Segment("text", substitute(body[at:], raw_args)))
    return found


def _markers(body: str) -> list[tuple[int, int, Literal["bang", "mention"], str]]:
    marks: list[tuple[int, int, Literal["bang", "mention"], str]] = [
        (m.start(), m.end(), "bang", m.group("command")) for m in _BANG.finditer(body)
    ]
    for m in _MENTION.finditer(body):
        path = m.group("path").rstrip(_TRAILING)
        if path and not any(s <= m.start() < e for s, e, _, _ in marks):
            start = m.start("path") - 1
            marks.append((start, start + 1 + len(path), "mention", path))
    return sorted(marks)


def command_message(name: str, raw_args: str, expanded: str) -> list[ContentBlock]:
    """Claude Code's user message for a command: the header block, then the expanded body."""
    header = (
        f"<command-message>{name}</command-message>\n"
        f"<command-name>/{name}</command-name>\n"
        f"<command-args>{raw_args}</command-args>\n"
    )
    return [TextBlock(text=header), TextBlock(text=expanded)]
