"""Real hook scripts for the e2e tests: written into a tmp folder, run by hexclaw as hooks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# Appends its stdin JSON (plus what it saw of its environment) to the log named in argv[1].
LOGGER = """\
import json, os, sys
data = json.load(sys.stdin)
data["_env_project_dir"] = os.environ.get("CLAUDE_PROJECT_DIR")
data["_cwd"] = os.getcwd()
data["_pgid"] = os.getpgid(0)
with open(sys.argv[1], "a") as log:
    log.write(json.dumps(data) + "\\n")
"""

# Prints argv[1] (a JSON document or text) and exits with argv[2]; stderr gets argv[3].
RESPONDER = """\
import sys
sys.stdin.read()
if sys.argv[1]:
    print(sys.argv[1])
if len(sys.argv) > 3:
    print(sys.argv[3], file=sys.stderr)
sys.exit(int(sys.argv[2]))
"""


def write_scripts(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    logger, responder = folder / "log_hook.py", folder / "respond.py"
    logger.write_text(LOGGER)
    responder.write_text(RESPONDER)
    return logger, responder


def python_command(script: Path, *args: str) -> str:
    return " ".join(_quote(a) for a in (sys.executable, str(script), *args))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def responder_command(script: Path, output: Any, code: int, stderr: str = "") -> str:
    text = output if isinstance(output, str) else json.dumps(output)
    args = [text, str(code)] + ([stderr] if stderr else [])
    return python_command(script, *args)


def hook(
    event: str, command: str, matcher: str | None = None, timeout: float | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "command", "command": command}
    if timeout is not None:
        entry["timeout"] = timeout
    group: dict[str, Any] = {"hooks": [entry]}
    if matcher is not None:
        group["matcher"] = matcher
    return {event: [group]}


def settings_with(*hooks: dict[str, Any], **extra: Any) -> str:
    merged: dict[str, list[Any]] = {}
    for one in hooks:
        for event, groups in one.items():
            merged.setdefault(event, []).extend(groups)
    return json.dumps({"hooks": merged, **extra})


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
