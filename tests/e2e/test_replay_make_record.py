"""make record without a key: a visible SKIPPED line, exit 0, and the live cassettes untouched."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT


def test_make_record_without_a_key_skips_visibly_and_changes_nothing() -> None:
    folder = ROOT / "cassettes" / "anthropic"
    before = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "tests.fakes.record_live"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("SKIPPED make record: ANTHROPIC_API_KEY is not set")
    assert {p.name: p.read_bytes() for p in folder.glob("*.yaml")} == before
    assert before
