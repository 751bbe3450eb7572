"""Finding custom commands: ``$CLAUDE_CONFIG_HOME/commands`` and ``.claude/commands``."""

from __future__ import annotations

from pathlib import Path

from adapters.files.trust_store import workspace_key
from domain.commands.custom import CommandScope, CustomCommand, command_name, parse_command
from domain.trust.items import TrustItem

MAX_COMMAND_BYTES = 256 * 1024


def load_commands(workspace: Path, home: Path, warnings: list[str]) -> dict[str, CustomCommand]:
    """By name; a project command replaces a user command of the same name."""
    found: dict[str, CustomCommand] = {}
    folders: list[tuple[Path, CommandScope]] = [
        (home / "commands", "user"),
        (workspace / ".claude" / "commands", "project"),
    ]
    for folder, scope in folders:
        for command in _read_folder(folder, scope, warnings):
            found[command.name] = command
    return found


def _read_folder(folder: Path, scope: CommandScope, warnings: list[str]) -> list[CustomCommand]:
    if not folder.is_dir():
        return []
    commands = []
    for path in sorted(folder.rglob("*.md")):
        name = command_name(path.relative_to(folder).parts)
        if name is None or not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_COMMAND_BYTES:
                warnings.append(f"{path}: a command file over 256 KiB (ignored)")
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{path}: cannot read the command file ({exc.__class__.__name__})")
            continue
        commands.append(parse_command(text, name, str(path), scope))
    return commands


def command_trust_item(command: CustomCommand, workspace: Path) -> TrustItem | None:
    """A project command with ``!`cmd``` lines pins its file's bytes; others need nothing."""
    if command.scope != "project" or not command.bang_commands:
        return None
    path = Path(command.source)
    try:
        content = path.read_bytes()
    except OSError:
        return None
    root = workspace_key(workspace)
    relative = str(Path(workspace_key(path)).relative_to(root))
    lines = "\n".join(f"  !`{line}`" for line in command.bang_commands)
    return TrustItem("command", root, relative, content, summary=f"/{command.name} runs:\n{lines}")
