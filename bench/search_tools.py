"""Row 5: hexclaw's Grep and Glob tools on a generated tree of 100,000 files, against
``rg`` run directly on the same tree with the same question.

The tools are called in-process the way the agent loop calls them (``run(input)``), so
their time includes whatever they do beyond rg: starting it, reading and shaping its
output. rg runs as a subprocess, as a user would run it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.tools.glob import GlobTool
from adapters.tools.grep import GrepTool
from adapters.tools.support.workspace import Workspace
from bench.context import BenchContext
from bench.peers import Peer, ripgrep
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line, Target
from bench.sampling import interleave, median
from bench.search_tree import NEEDLE, generate
from domain.tools.calls import ToolOutcome

NAME = "search_tools"
WITHIN = Target("at most", 1.3)


@dataclass(frozen=True)
class Question:
    what: str
    tool: str
    tool_input: dict[str, Any]
    rg_args: list[str]
    target: Target | None = WITHIN
    note: str = ""


def questions(root: Path) -> list[Question]:
    where = str(root)
    return [
        Question(
            "Grep files_with_matches",
            "Grep",
            {"pattern": NEEDLE, "path": where, "output_mode": "files_with_matches"},
            ["-l", NEEDLE, where],
        ),
        Question(
            "Grep content -n",
            "Grep",
            {"pattern": NEEDLE, "path": where, "output_mode": "content", "-n": True},
            ["-n", NEEDLE, where],
        ),
        # Glob answers "which files match, newest first", so its peer is rg asked for the same
        # order (Claude Code's own Glob runs rg with --sort=modified). Ordering needs a stat of
        # every match, which a plain listing skips: the second line shows what that costs.
        Question(
            "Glob **/*.py",
            "Glob",
            {"pattern": "**/*.py", "path": where},
            ["--files", "-g", "*.py", "--sortr", "modified", where],
        ),
        Question(
            "Glob **/*.py, against an unsorted listing",
            "Glob",
            {"pattern": "**/*.py", "path": where},
            ["--files", "-g", "*.py", where],
            target=None,
            note="information: rg leaves out the stat of each match that newest-first needs",
        ),
    ]


def build_tool(tool: str, root: Path) -> GrepTool | GlobTool:
    """hexclaw's tool for a workspace at ``root``, built as the composition root builds it."""
    workspace = Workspace(root)
    return GrepTool(workspace) if tool == "Grep" else GlobTool(workspace)


def _wrong(outcome: ToolOutcome, root: Path, question: Question) -> str | None:
    """Why the tool's answer cannot be right, or None: a timing of a wrong answer is moot."""
    content = str(outcome.content)
    if outcome.is_error:
        return f"the tool failed: {content[:160]}"
    paths = [line.split(":", 1)[0] for line in content.splitlines() if line.startswith(str(root))]
    if not paths:
        return f"the tool listed no file of the tree: {content[:160]!r}"
    for path in paths[:20]:
        if question.tool == "Grep" and NEEDLE not in Path(path).read_text():
            return f"the tool listed {path}, which does not hold the needle"
        if question.tool == "Glob" and not path.endswith(".py"):
            return f"the tool listed {path}, which does not match {question.tool_input['pattern']}"
    return None


def _tool_subject(
    tool: GrepTool | GlobTool, tool_input: dict[str, Any]
) -> Callable[[], tuple[float, ToolOutcome]]:
    def once() -> tuple[float, ToolOutcome]:
        started = time.perf_counter()
        outcome = tool.run(tool_input)
        return time.perf_counter() - started, outcome

    return once


def _rg_subject(rg: Peer, args: list[str], cwd: Path) -> Callable[[], ProcessRun]:
    assert rg.argv is not None
    argv = [*rg.argv, *args]
    return lambda: run_measured(argv, {"PATH": "/usr/bin:/bin"}, cwd)


def _measure(ctx: BenchContext, question: Question, root: Path, rg: Peer, what: str) -> Line:
    notes = [question.note] if question.note else []
    tool = build_tool(question.tool, root)
    subjects: list[Callable[[], Any]] = [_tool_subject(tool, question.tool_input)]
    if rg.usable:
        subjects.append(_rg_subject(rg, question.rg_args, root))
    else:
        notes.append(f"rg: {rg.problem}")
    results = interleave(ctx.plan, subjects)
    ours: float | None = None
    theirs: float | None = None
    tool_runs: list[tuple[float, ToolOutcome]] = results.pop(0)
    problems = [_wrong(outcome, root, question) for _, outcome in tool_runs]
    problem = next((p for p in problems if p), None)
    if problem:
        notes.append(f"hexclaw: {problem}")
    else:
        ours = median([seconds for seconds, _ in tool_runs])
    if rg.usable:
        rg_runs: list[ProcessRun] = results.pop(0)
        bad = [run for run in rg_runs if not run.ok]
        if bad:
            notes.append(f"rg: {bad[0].failure()}")
        else:
            theirs = median([run.wall for run in rg_runs])
    return Line(
        row=NAME,
        what=what,
        unit="s",
        ours=ours,
        peer=f"rg {' '.join(question.rg_args[:-1])}",
        peer_value=theirs,
        target=question.target,
        command=ctx.command(NAME),
        note="; ".join(notes),
        runs=ctx.plan.runs,
    )


def run(ctx: BenchContext) -> list[Line]:
    files = 2_000 if ctx.quick else 100_000
    root = ctx.scratch("search-tree")
    needles = generate(root, files)
    rg = ripgrep()
    tree = f"{files:,} files, {needles:,} holding the needle"
    return [
        _measure(ctx, question, root, rg, f"{question.what} ({tree})" if n == 0 else question.what)
        for n, question in enumerate(questions(root))
    ]
