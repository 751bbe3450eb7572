"""hexclaw as a user installs it, for the rows that time the program itself.

The project's own venv also holds the dev and bench tools, and they change what hexclaw
imports: import-linter brings in click, and with click importable httpx loads its optional
command line (click, rich, pygments), 40-60 ms of every start. An editable install also
adds its import finder. So the startup, one-shot, tool-session and REPL rows run hexclaw
from ``bench/.peers/runtime-venv``: made by the bench with ``python -m venv`` and
``pip install -c constraints.txt`` of a copy of the project, runtime dependencies only and
not editable. It is reused while its fingerprint (the Python, ``pyproject.toml``,
``constraints.txt`` and the packaged sources) matches. Quick runs use the development venv
and say so in each of those rows' notes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from filelock import FileLock

from bench.peers import PEERS_DIR, ROOT

VENV = PEERS_DIR / "runtime-venv"
STAMP = VENV / "hexclaw-bench-stamp.json"
LOCK = PEERS_DIR / "runtime-venv.lock"
PACKAGES = ("domain", "adapters", "entrypoints")
# What setuptools puts in the wheel: the modules and the package data of pyproject.toml.
PACKAGED_SUFFIXES = (".py", ".json", ".yaml", ".md")
PROJECT_FILES = (
    "pyproject.toml",
    "README.md",
    "scripts/hexclaw",
    "scripts/hexclaw_root/__init__.py",
)
DEPENDENCY_FILES = ("pyproject.toml", "constraints.txt")
INSTALL_TIMEOUT = 900
DEVELOPMENT_NOTE = (
    "quick run: hexclaw from the development venv (dev tools importable, so it starts "
    "slower than a user's install)"
)


class RuntimeVenvError(Exception):
    """The runtime-only venv could not be made; the message says which step failed."""


@dataclass(frozen=True)
class HexclawInstall:
    """How the rows run hexclaw, and ``python`` of the same venv for ``python -c pass``."""

    argv: tuple[str, ...]
    python: str
    where: str
    note: str = ""


def development(note: str = DEVELOPMENT_NOTE) -> HexclawInstall:
    """The console script of the venv running the bench (the project's own)."""
    script = Path(sys.prefix) / "bin" / "hexclaw"
    argv = (str(script),) if script.exists() else (sys.executable, "-m", "entrypoints.cli")
    return HexclawInstall(argv, sys.executable, "the development venv", note)


def runtime() -> HexclawInstall:
    """The runtime-only venv, made or brought up to date first.

    If it cannot be made (no network for pip, say), the rows still run, from the
    development venv, and their notes say why.
    """
    try:
        venv = ensure()
    except RuntimeVenvError as exc:
        return development(f"{exc}; hexclaw ran from the development venv instead")
    where = f"a runtime-only venv ({VENV.relative_to(ROOT)}: pip install -c constraints.txt .)"
    return HexclawInstall((str(venv / "bin" / "hexclaw"),), str(venv / "bin" / "python"), where)


def _packaged_files(root: Path) -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if (
                path.is_file()
                and path.suffix in PACKAGED_SUFFIXES
                and "__pycache__" not in path.parts
            ):
                yield path


def _digest(root: Path, paths: list[Path], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fingerprint(root: Path = ROOT) -> dict[str, str]:
    """What the venv was made from: its dependencies (a change means a new venv) and the
    sources (a change means reinstalling hexclaw alone)."""
    python = f"{os.path.realpath(sys.executable)} {sys.version}"
    return {
        "dependencies": _digest(root, [root / name for name in DEPENDENCY_FILES], python),
        "sources": _digest(root, list(_packaged_files(root)), ""),
    }


def _stamp() -> dict[str, str]:
    try:
        loaded = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _run(argv: list[str], step: str) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeVenvError(f"cannot {step}: {exc}") from None
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip()).splitlines()
        last = lines[-1][:200] if lines else "no output"
        raise RuntimeVenvError(f"cannot {step}: exited {done.returncode}: {last}")


def copy_project(into: Path, root: Path = ROOT) -> Path:
    """The files a build needs, so the build never writes into the working tree (setuptools
    leaves ``build/`` and ``*.egg-info`` behind, and a stale ``build/lib`` can ship modules
    that no longer exist)."""
    project = into / "hexclaw"
    project.mkdir(parents=True)
    for name in PROJECT_FILES:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, project / name)
    for package in PACKAGES:
        shutil.copytree(
            root / package, project / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return project


def _install(fresh: bool) -> None:
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    with tempfile.TemporaryDirectory(prefix="hexclaw-runtime-build-") as build:
        project = str(copy_project(Path(build)))
        if fresh:
            _run([*pip, "-c", str(ROOT / "constraints.txt"), project], "install hexclaw")
        else:
            _run([*pip, "--no-deps", "--force-reinstall", project], "reinstall hexclaw")


Step = Literal["reuse", "reinstall hexclaw", "make the venv"]


def next_step(have: dict[str, str], wanted: dict[str, str], venv_exists: bool) -> Step:
    """What brings the venv up to date with the fingerprint ``wanted``."""
    if not venv_exists or have.get("dependencies") != wanted["dependencies"]:
        # A fresh venv, so a dependency that was dropped does not linger in it.
        return "make the venv"
    if have.get("sources") != wanted["sources"]:
        return "reinstall hexclaw"
    return "reuse"


def ensure() -> Path:
    """The venv, up to date with the working tree; made or updated under a lock."""
    PEERS_DIR.mkdir(exist_ok=True)
    with FileLock(str(LOCK), timeout=INSTALL_TIMEOUT):
        wanted = fingerprint()
        step = next_step(_stamp(), wanted, (VENV / "bin" / "python").exists())
        if step == "reuse":
            return VENV
        fresh = step == "make the venv"
        started = time.perf_counter()
        print(f"bench: {step}: {VENV.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        STAMP.unlink(missing_ok=True)  # an interrupted install is never taken for a good one
        if fresh:
            shutil.rmtree(VENV, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(VENV)], "create the runtime venv")
        _install(fresh)
        _run([str(VENV / "bin" / "hexclaw"), "--version"], "run the installed hexclaw")
        STAMP.write_text(json.dumps(wanted))
        took = time.perf_counter() - started
        print(f"bench: {VENV.relative_to(ROOT)} ready in {took:.1f} s", file=sys.stderr)
        return VENV
