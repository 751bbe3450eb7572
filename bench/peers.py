"""Installing and locating the peers hexclaw is measured against.

Claude Code comes from npm into ``bench/.peers`` (gitignored), pinned, installed by the
bench itself on a full run. Quick runs never install: a missing peer is reported as such.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PEERS_DIR = BENCH_DIR / ".peers"
CLAUDE_CODE_PACKAGE = "@anthropic-ai/claude-code"
CLAUDE_CODE_VERSION = "2.1.330"
CLAUDE_BIN = PEERS_DIR / "node_modules" / ".bin" / "claude"


@dataclass(frozen=True)
class Peer:
    """A peer program: its command when usable, otherwise why it is not."""

    name: str
    argv: tuple[str, ...] | None
    version: str = ""
    problem: str = ""

    @property
    def usable(self) -> bool:
        return self.argv is not None


def _claude_version() -> str | None:
    if not CLAUDE_BIN.exists():
        return None
    try:
        done = subprocess.run(
            [str(CLAUDE_BIN), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = done.stdout.split()
    return words[0] if done.returncode == 0 and words else None


def claude_code(install: bool) -> Peer:
    name = "Claude Code"
    version = _claude_version()
    if version == CLAUDE_CODE_VERSION:
        return Peer(name, (str(CLAUDE_BIN),), version)
    if not install:
        return Peer(
            name,
            None,
            problem=f"Claude Code {CLAUDE_CODE_VERSION} is not installed in bench/.peers "
            "(quick runs do not install peers; `make bench` does)",
        )
    npm = shutil.which("npm")
    if npm is None:
        return Peer(name, None, problem="cannot install Claude Code: `npm` is not on PATH")
    print(f"bench: installing {CLAUDE_CODE_PACKAGE}@{CLAUDE_CODE_VERSION} into bench/.peers ...")
    PEERS_DIR.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(PEERS_DIR),
                "--no-audit",
                "--no-fund",
                "--save-exact",
                f"{CLAUDE_CODE_PACKAGE}@{CLAUDE_CODE_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return Peer(name, None, problem="cannot install Claude Code: npm install timed out")
    version = _claude_version()
    if version == CLAUDE_CODE_VERSION:
        return Peer(name, (str(CLAUDE_BIN),), version)
    tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
    return Peer(
        name,
        None,
        problem=f"cannot install or run Claude Code {CLAUDE_CODE_VERSION}: "
        f"npm exited {done.returncode}: {tail[0][:200]}",
    )


def ripgrep() -> Peer:
    """The rg shipped in the venv (the ``ripgrep`` wheel), else one on PATH."""
    candidates = [Path(sys.prefix) / "bin" / "rg"]
    on_path = shutil.which("rg")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists():
            done = subprocess.run(
                [str(candidate), "--version"], capture_output=True, text=True, check=False
            )
            version = done.stdout.split()[1] if done.stdout.split()[1:] else ""
            return Peer("rg", (str(candidate),), version)
    return Peer("rg", None, problem="no `rg` in the venv or on PATH")


def anthropic_sdk() -> Peer:
    try:
        version = importlib.metadata.version("anthropic")
    except importlib.metadata.PackageNotFoundError:
        return Peer(
            "anthropic SDK",
            None,
            problem="the `anthropic` SDK is not installed (pip install -e '.[bench]')",
        )
    return Peer("anthropic SDK", ("anthropic",), version)
