"""Row 8: what checkpoints cost. The scan around every file-changing tool call on a 10,000-file
repository (target: under 50 ms a call), and how the store grows over a 50-turn session that
edits the same files, against keeping a full copy of the edited files every turn (the naive
store; target: at most a quarter of it).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from adapters.checkpoints.recorder import CheckpointRecorder
from adapters.system.clock import SystemClock
from bench.context import BenchContext
from bench.report import Line, Target
from bench.sampling import interleave, median
from domain.tools.calls import ToolOutcome

NAME = "checkpoints"
FULL_FILES, QUICK_FILES = 10_000, 1_000
TURNS, QUICK_TURNS = 50, 5
EDITED = 5
SCAN_TARGET_SECONDS = 0.050
STORE_TARGET = 0.25


def _repository(root: Path, files: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if (root / ".git").exists():
        return root
    for number in range(files):
        folder = root / f"pkg{number % 100:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"module_{number}.py").write_text(f"def f_{number}():\n    return {number}\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def _nothing() -> ToolOutcome:
    return ToolOutcome(content="")


def run(ctx: BenchContext) -> list[Line]:
    files = QUICK_FILES if ctx.quick else FULL_FILES
    repository = _repository(ctx.scratch("checkpoints-repository"), files)
    recorder = CheckpointRecorder(
        repository, ctx.scratch("checkpoints-history"), SystemClock(), 1 << 30, 5 << 20
    )
    recorder.begin_turn("bench", 0)
    recorder.around("Bash", _nothing)  # the first call stores the baseline

    def one_call() -> float:
        started = time.perf_counter()
        recorder.around("Bash", _nothing)
        return time.perf_counter() - started

    (times,) = interleave(ctx.plan, [one_call])
    scan = median(times)

    edited_root = ctx.scratch("checkpoints-edited")
    targets = [edited_root / f"file_{n}.py" for n in range(EDITED)]
    for target in targets:
        target.write_text("".join(f"line {i} of a module that grows\n" for i in range(600)))
    history = ctx.scratch("checkpoints-edited-history")
    growing = CheckpointRecorder(edited_root, history, SystemClock(), 1 << 30, 5 << 20)
    naive = 0
    turns = QUICK_TURNS if ctx.quick else TURNS
    for turn in range(turns):
        growing.begin_turn(f"turn {turn}", 0)

        def edit(turn: int = turn) -> ToolOutcome:
            for target in targets:
                with target.open("a") as handle:
                    handle.write(f"# turn {turn}\n")
            return ToolOutcome(content="")

        naive += sum(t.stat().st_size for t in targets)
        growing.around("Edit", edit)
    stored = sum(growing.blobs.sizes().values())
    command = ctx.command(NAME)
    return [
        Line(
            row=NAME,
            what=f"scan around one Bash call, {files:,}-file git repository",
            unit="s",
            ours=scan,
            peer="-",
            peer_value=None,
            target=Target("at most", SCAN_TARGET_SECONDS, absolute=True),
            command=command,
            runs=ctx.plan.runs,
        ),
        Line(
            row=NAME,
            what=f"store after {turns} turns editing the same {EDITED} files",
            unit="MB",
            ours=stored / 1e6,
            peer="a full copy of the edited files every turn",
            peer_value=naive / 1e6,
            target=Target("at most", STORE_TARGET),
            command=command,
            note="compressed, deduplicated blobs of each file's prior content",
        ),
    ]
