"""``make demo``: hexclaw's main job, offline, in a temporary copy of a small project.

A recorded session (``demo/session.yaml``) answers for the model; everything else is real:
hexclaw runs as it would for a user, its tools read, run and edit the files of the copy, and
the terminal shows the session as it streams. No key and no network are needed. The copy is
left in place afterwards so the change can be looked at.

    python -m entrypoints.demo [--workdir DIR] [--pace SECONDS]
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "demo" / "project"
SESSION = ROOT / "demo" / "session.yaml"
MODEL = "claude-sonnet-4-5"
PROMPT = "check.py fails. Find the bug in stats.py, fix it, and make sure the checks pass."
CHECK = "python3 check.py"
CHANGED_FILE = "stats.py"
DEFAULT_PACE = 0.02


def demo_args(cassette_flag: str, cassette: Path) -> list[str]:
    """The demo's command line, the same when it is recorded and when it is replayed: the REPL
    with one prompt, file edits accepted and only the check command allowed to run."""
    return [
        PROMPT,
        "--model",
        MODEL,
        "--permission-mode",
        "acceptEdits",
        "--allowedTools",
        f"Bash({CHECK})",
        cassette_flag,
        str(cassette),
    ]


def demo_env(config_home: Path, pace: float) -> dict[str, str]:
    """The user's environment minus anything that would change the session (their model,
    base URL, settings), with a config home of the demo's own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "HEXCLAW_"))
    }
    env.update(
        CLAUDE_CONFIG_HOME=str(config_home),
        HEXCLAW_REPLAY_PACE=str(pace),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
    )
    return env


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entrypoints.demo", description=__doc__)
    parser.add_argument("--workdir", type=Path, help="where to copy the project (kept)")
    parser.add_argument(
        "--pace", type=float, default=DEFAULT_PACE, help="seconds between streamed chunks"
    )
    args = parser.parse_args(argv)
    missing = [p for p in (PROJECT, SESSION) if not p.exists()]
    if missing:
        print(f"hexclaw demo: {missing[0]} is missing; run it from a hexclaw checkout")
        return 1
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hexclaw-demo-"))
    project = workdir / "project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(PROJECT, project)
    home = workdir / "claude-home"
    home.mkdir(parents=True, exist_ok=True)

    print("hexclaw demo: a recorded session, replayed offline. The model's answers come from")
    print(f"demo/session.yaml; the tools really run, in a copy of demo/project at {project}")
    print()
    sys.stdout.flush()
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *demo_args("--replay", SESSION)],
        cwd=project,
        env=demo_env(home, args.pace),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    print()
    if done.returncode != 0:
        print(f"hexclaw demo: hexclaw exited with {done.returncode}; see the line above")
        return done.returncode
    before = (PROJECT / CHANGED_FILE).read_text(encoding="utf-8")
    after = (project / CHANGED_FILE).read_text(encoding="utf-8")
    if before == after:
        print(f"hexclaw demo: {CHANGED_FILE} did not change; the replay went wrong")
        return 1
    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"demo/project/{CHANGED_FILE}",
        str(project / CHANGED_FILE),
    )
    print("What changed on disk:")
    sys.stdout.writelines(diff)
    print()
    print("Run hexclaw for real:")
    print("  export ANTHROPIC_API_KEY=sk-ant-...     # or: .venv/bin/hexclaw login")
    print("  .venv/bin/hexclaw                       # the REPL, in your project's folder")
    print('  .venv/bin/hexclaw -p "explain this repository"')
    print("Record your own session with --record FILE; replay it with --replay FILE.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
