"""Running a command without root's power to read and write any file, so that file modes
matter in tests that run as root (CI containers)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def without_root_powers() -> list[str]:
    """A prefix that runs a command without the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv is missing: cannot make a file unreadable")
    dropped = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", dropped, "--inh-caps", dropped]


def run_python_without_root(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by this Python, from the project root, without root's powers."""
    return subprocess.run(
        [*without_root_powers(), sys.executable, "-c", code, *args],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
