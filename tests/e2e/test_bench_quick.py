"""``python -m bench --quick`` (what ``make bench-quick`` runs) completes and prints its table.

Timings are not asserted: the bench reports them. This checks that every row runs,
says what it measured or why it could not, and names the command that reproduces it.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.__main__ import ROWS
from tests.support import ROOT

EXPECTED_LINES = (
    "hexclaw --version wall time",
    "hexclaw --help wall time",
    "-p one-shot wall time",
    "-p one-shot peak memory (process tree)",
    "-p with one stdio MCP server (everything) wall time",
    "-p with one stdio MCP server (time) wall time",
    "10 Bash calls + answer wall time",
    "SSE framing+reduction, 2,000 text deltas",
    "SSE framing+reduction, 0.5 MB tool input",
    "Grep files_with_matches",
    "Glob **/*.py",
    "resume a 500-message session",
    "resume growth",
    "idle REPL memory",
    "stream-json session, 10 turns wall time",
    "stream-json session, 10 turns peak memory (process tree)",
    "4 read-only calls in one message",
)


def test_quick_bench_runs_every_row_and_prints_the_table() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "hexclaw benchmarks (quick)" in out
    header = next(line for line in out.splitlines() if line.startswith("what "))
    for column in ("hexclaw", "peer value", "ratio", "target", "verdict"):
        assert column in header
    for label in EXPECTED_LINES:
        assert label in out, f"no line for {label!r} in:\n{out}"
    assert "BENCH ERROR" not in out
    for row in ROWS:
        assert f"python -m bench --only {row.NAME} --quick" in out
    # Every line ends in a verdict, and a line that measured nothing says why.
    verdicts = ("met", "MISSED", "info", "NO PEER", "NOT MEASURED")
    table = out.split("\n\n")[1].splitlines()[2:]
    assert len(table) >= len(EXPECTED_LINES)
    for line in table:
        assert line.rstrip().endswith(verdicts), line
    if "NOT MEASURED" in out or "NO PEER" in out:
        assert "Notes:" in out


def test_quick_bench_reproduces_one_row_on_its_own() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "sse"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SSE framing+reduction, 2,000 text deltas" in done.stdout
    assert "hexclaw --version" not in done.stdout
