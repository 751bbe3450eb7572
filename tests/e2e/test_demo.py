"""``make demo`` from a clean checkout: offline, the tools really run, the file really changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

VENV = Path(sys.executable).parent.parent
FIXED = "return sum(values) / len(values)"
BROKEN = "return sum(values) / (len(values) + 1)"


def test_make_demo_from_a_clean_checkout(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    workdir = tmp_path / "demo-run"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    # The clone uses this checkout's .venv: -o marks the install step as done, so make runs
    # only the demo (the clone's own code and files, nothing from this working tree).
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(clone),
            "demo",
            f"VENV={VENV}",
            "-o",
            f"{VENV}/.installed",
            f"DEMO_ARGS=--workdir {workdir} --pace 0",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    changed = (workdir / "project" / "stats.py").read_text()
    assert FIXED in changed
    assert BROKEN not in changed
    assert BROKEN in (clone / "demo" / "project" / "stats.py").read_text()
    out = done.stdout
    # The session rendered: the model's words, each tool call, and the real check output.
    for expected in (
        "I'll start by reading",
        "Read(stats.py)",
        "Bash(python3 check.py)",
        "Edit(stats.py)",
        "+    " + FIXED,
        "What changed on disk:",
        "Run hexclaw for real:",
    ):
        assert expected in out, f"{expected!r} not in the demo's output:\n{out}"
    assert "replay stopped" not in out + done.stderr
