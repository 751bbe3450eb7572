"""Row 5: hexclaw's Grep and Glob tools on a generated tree of 100,000 files, against
``rg`` run directly on the same tree with the same question.

The tools are called in-process the way the agent loop calls them (``run(input)``), so
their time includes whatever they do beyond rg: starting it, reading and shaping its
output. rg runs as a subprocess, as a user would run it.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.context import BenchContext
from bench.peers import Peer, ripgrep
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line, Target
from bench.sampling import interleave, median
from bench.search_tree import NEEDLE, generate

NAME = "search_tools"


@dataclass(frozen=True)
class Question:
    what: str
    tool: str
    tool_input: dict[str, Any]
    rg_args: list[str]


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
        Question(
            "Glob **/*.py",
            "Glob",
            {"pattern": "**/*.py", "path": where},
            ["--files", "-g", "*.py", where],
        ),
    ]


class ToolMissing(Exception):
    pass


def build_tool(tool: str, root: Path) -> Any:
    """hexclaw's tool named ``tool``, built for a workspace at ``root``.

    The tools are found by name in ``adapters.tools.<name>`` and their collaborators
    supplied by annotation, so the row keeps working as their constructors grow.
    """
    module_name = f"adapters.tools.{tool.lower()}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ToolMissing(f"{module_name} has not landed ({exc})") from None
    for candidate in vars(module).values():
        if inspect.isclass(candidate) and getattr(candidate, "name", None) == tool:
            return candidate(**_arguments(candidate, root))
    raise ToolMissing(f"{module_name} has no tool class named {tool!r}")


def _arguments(cls: type, root: Path) -> dict[str, Any]:
    from adapters.tools.workspace import Workspace

    supplied: dict[str, Any] = {}
    for name, parameter in inspect.signature(cls).parameters.items():
        annotation = str(parameter.annotation)
        if "Workspace" in annotation:
            supplied[name] = Workspace(root)
        elif "Path" in annotation:
            supplied[name] = root
        elif parameter.default is inspect.Parameter.empty:
            raise ToolMissing(f"cannot build {cls.__name__}: unknown parameter {name!r}")
    return supplied


def _tool_subject(tool: Any, tool_input: dict[str, Any]) -> Callable[[], tuple[float, Any]]:
    def once() -> tuple[float, Any]:
        started = time.perf_counter()
        outcome = tool.run(tool_input)
        return time.perf_counter() - started, outcome

    return once


def _rg_subject(rg: Peer, args: list[str], cwd: Path) -> Callable[[], ProcessRun]:
    assert rg.argv is not None
    argv = [*rg.argv, *args]
    return lambda: run_measured(argv, {"PATH": "/usr/bin:/bin"}, cwd)


def _measure(ctx: BenchContext, question: Question, root: Path, rg: Peer, what: str) -> Line:
    notes: list[str] = []
    subjects: list[Callable[[], Any]] = []
    tool: Any = None
    try:
        tool = build_tool(question.tool, root)
        subjects.append(_tool_subject(tool, question.tool_input))
    except ToolMissing as exc:
        notes.append(f"hexclaw: {exc}")
    if rg.usable:
        subjects.append(_rg_subject(rg, question.rg_args, root))
    else:
        notes.append(f"rg: {rg.problem}")
    results = interleave(ctx.plan, subjects)
    ours: float | None = None
    theirs: float | None = None
    if tool is not None:
        tool_runs = results.pop(0)
        failed = [outcome for _, outcome in tool_runs if getattr(outcome, "is_error", False)]
        if failed:
            notes.append(f"hexclaw: the tool failed: {str(failed[0].content)[:160]}")
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
        target=Target("at most", 1.3),
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
