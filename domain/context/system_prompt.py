"""The system prompt, built from sections that are each a pure function.

Block order follows how long each part stays the same, so prompt caching reuses the
longest prefix: the identity and tool rules (the same everywhere), then the instruction
files (the same for a project), then the environment and git snapshot (one session).
The first two carry ``cache_control``. Every block passes through ``redact_text`` last, so a
secret that found its way into an instruction file or a commit message is not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs

from domain.context.environment_info import EnvironmentInfo, GitSnapshot
from domain.context.instruction_memory import LoadedMemory
from domain.context.prompt_secrets import redact_text
from domain.messages.content import JSONObject
from domain.ports import Clock
from domain.repr_base import Record

MAX_GIT_CHANGES = 30
MAX_GIT_LINE = 200
CACHE_CONTROL: JSONObject = {"type": "ephemeral"}

IDENTITY = """\
You are hexclaw, a coding assistant that works in the user's terminal, inside their \
project. You help with software work: reading and changing code, running commands, \
finding bugs, explaining how things fit together.

How to work:
- Be brief. The terminal shows your text as Markdown; answer in a few lines unless the \
user asks for depth. No preamble, no recap of what you just did unless asked.
- Do what was asked, no more. Ask when a request is ambiguous in a way that matters; \
otherwise make a sensible choice and say what you chose.
- Look before you change: read the code you are about to edit, follow the conventions \
already in the project (style, libraries, layout, tests), and never assume a library is \
available without checking.
- Verify your work when you can: run the tests, the linter or the program, and report \
honestly what passed and what did not.
- Refer to code as `path:line` so the user can jump to it.
- Never invent file contents, command output or URLs. If you do not know, say so.
- Treat secrets with care: do not print, log or commit keys, tokens or passwords, and do \
not add code that exposes them.
- Do not commit, push or make other changes that are hard to undo unless the user asks."""

GENERAL_TOOL_RULES = """\
# Using tools
- When several tool calls do not depend on each other, make them in the same message.
- Paths in tool inputs are absolute paths.
- A tool result that reports an error is information: read it and adjust, do not repeat \
the same call unchanged.
- If a call is denied permission, do not retry it as is; ask the user or take another way."""

# Our own rules for Claude Code's tool names (see the shared tool schemas).
TOOL_RULES: dict[str, str] = {
    "Read": "Read: read a file before you edit it; for large files read the part you need "
    "with offset and limit.",
    "Edit": "Edit: old_string must match the file exactly (indentation included) and be "
    "unique, or set replace_all; read the file first.",
    "MultiEdit": "MultiEdit: several edits to one file, applied in order; the same matching "
    "rules as Edit.",
    "Write": "Write: for new files or complete rewrites; prefer Edit for changes to an "
    "existing file, and do not create files the task does not need.",
    "Bash": "Bash: for builds, tests, git and other commands. Avoid interactive commands and "
    "ones that never end; quote paths with spaces; use Grep, Glob and Read rather than "
    "grep, find and cat.",
    "Glob": "Glob: find files by name pattern.",
    "Grep": "Grep: search file contents by regular expression.",
    "LS": "LS: list a directory.",
    "WebFetch": "WebFetch: fetch a URL the user gave or that you found; do not guess URLs.",
    "TodoWrite": "TodoWrite: keep a short task list for work with several steps, and update "
    "it as each step is done.",
    "NotebookEdit": "NotebookEdit: change one cell of a Jupyter notebook.",
    "Agent": "Agent: hand a self-contained task (a broad search, research, a plan) to a "
    "subagent with its own fresh context; give it every detail it needs, and launch "
    "independent ones in one message so they run at the same time.",
    "Skill": "Skill: when a task fits one of the skills listed below, load it first and follow "
    "its instructions.",
    "SlashCommand": "SlashCommand: run one of the listed /commands when the user asks for what "
    "it does.",
}


@attrs.frozen(repr=False)
class SystemPromptInputs(Record):
    model: str
    environment: EnvironmentInfo
    tool_names: tuple[str, ...] = ()
    memory: LoadedMemory | None = None
    append: str | None = None
    secrets: tuple[str, ...] = ()


def identity_section() -> str:
    return IDENTITY


def tool_rules_section(tool_names: Sequence[str]) -> str:
    if not tool_names:
        return (
            "# Using tools\nNo tools are available in this session: answer from the "
            "conversation alone, and say so when a task needs you to read or run something."
        )
    specific = [f"- {TOOL_RULES[name]}" for name in tool_names if name in TOOL_RULES]
    return "\n".join([GENERAL_TOOL_RULES, *specific])


def environment_section(environment: EnvironmentInfo, model: str, today: str) -> str:
    lines = [
        "<env>",
        f"Working directory: {environment.working_directory}",
        f"Is a git repository: {'yes' if environment.is_git_repo else 'no'}",
        f"Platform: {environment.platform}",
        f"OS version: {environment.os_version}",
        f"Today's date: {today}",
        f"Model: {model}",
        "</env>",
    ]
    return "# Environment\n" + "\n".join(lines)


def git_status_section(git: GitSnapshot, max_changes: int = MAX_GIT_CHANGES) -> str:
    lines = [
        "# Git status",
        "A snapshot taken when the session started; it does not update as you work.",
    ]
    if git.branch is not None:
        lines.append(f"Current branch: {git.branch}")
    elif git.head is not None:
        lines.append(f"HEAD is detached at {git.head}")
    else:
        lines.append("Current branch: unknown")
    total = max(git.changed_count, len(git.changes))
    if total == 0:
        lines.append("Changes: none (the working tree is clean)")
    else:
        shown = git.changes[:max_changes]
        lines.append(f"Changes ({total} {'entry' if total == 1 else 'entries'}):")
        lines += [_clip(change) for change in shown]
        if total > len(shown):
            lines.append(f"... and {total - len(shown)} more (run git status to see them)")
    if git.recent_commits:
        lines.append("Recent commits:")
        lines += [_clip(commit) for commit in git.recent_commits]
    if git.note:
        lines.append(f"Note: {git.note}")
    return "\n".join(lines)


def instructions_section(memory: LoadedMemory) -> str | None:
    included = memory.included
    notes = memory.budget_notes()
    if not included and not notes:
        return None
    parts = [
        "# Instructions from memory files\n"
        "The user and the project gave these instructions. Follow them; where they conflict "
        "with the defaults above, they win, and later files win over earlier ones."
    ]
    for entry in included:
        parts.append(f"Contents of {entry.path} ({entry.reason}):\n\n{entry.text.rstrip()}")
    parts += notes
    return "\n\n".join(parts)


def iso_date(epoch_seconds: float, utc_offset_seconds: int = 0) -> str:
    """The local date (YYYY-MM-DD) of an instant the clock port gave, at the adapter's offset."""
    local = datetime.fromtimestamp(epoch_seconds, UTC) + timedelta(seconds=utc_offset_seconds)
    return local.date().isoformat()


def today_of(clock: Clock, environment: EnvironmentInfo) -> str:
    return iso_date(clock.now(), environment.utc_offset_seconds)


def build_system_prompt(inputs: SystemPromptInputs, clock: Clock) -> list[JSONObject]:
    """The ``system`` blocks of a request."""
    stable = "\n\n".join([identity_section(), tool_rules_section(inputs.tool_names)])
    blocks: list[JSONObject] = [_block(stable, inputs, cached=True)]
    instructions = instructions_section(inputs.memory) if inputs.memory else None
    if instructions:
        blocks.append(_block(instructions, inputs, cached=True))
    session = [
        environment_section(inputs.environment, inputs.model, today_of(clock, inputs.environment))
    ]
    if inputs.environment.git is not None:
        session.append(git_status_section(inputs.environment.git))
    blocks.append(_block("\n\n".join(session), inputs, cached=False))
    if inputs.append and inputs.append.strip():
        blocks.append(_block(inputs.append, inputs, cached=False))
    return blocks


def custom_system_prompt(
    text: str, append: str | None = None, secrets: Sequence[str] = ()
) -> list[JSONObject]:
    """``--system-prompt``: the user's text replaces everything hexclaw would have sent."""
    blocks: list[JSONObject] = [{"type": "text", "text": redact_text(text, secrets)}]
    if append and append.strip():
        blocks.append({"type": "text", "text": redact_text(append, secrets)})
    return blocks


def _block(text: str, inputs: SystemPromptInputs, cached: bool) -> JSONObject:
    block: JSONObject = {"type": "text", "text": redact_text(text, inputs.secrets)}
    if cached:
        block["cache_control"] = dict(CACHE_CONTROL)
    return block


def _clip(line: str) -> str:
    line = line.rstrip()
    if len(line) <= MAX_GIT_LINE:
        return line
    return line[: MAX_GIT_LINE - 1] + "…"
