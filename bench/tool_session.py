"""Row 3: a session of ten Bash tool calls and a final answer, wall time and peak memory,
against Claude Code on the same script with ``--allowedTools Bash``."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from bench.compare_runs import sides, wall_and_memory
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line
from bench.sampling import interleave
from bench.scripted_replies import BASH_CALLS, FINAL_ANSWER, bash_session, offered_tools
from tests.fakes.anthropic_server import ScriptedAnthropicServer

NAME = "tool_session"
PROMPT = "Run the step counter ten times, then tell me the count."
FLAGS = ["--allowedTools", "Bash"]


class _Workspaces:
    """A fresh workspace per run, so each run's ``steps.txt`` proves its own ten calls."""

    def __init__(self, parent: Path, prefix: str) -> None:
        self._parent = parent
        self._prefix = prefix
        self._numbers = itertools.count()

    def next(self) -> Path:
        folder = self._parent / f"{self._prefix}-{next(self._numbers)}"
        folder.mkdir()
        return folder


def _steps_in(run: ProcessRun) -> int:
    steps = Path(run.cwd) / "steps.txt"
    return steps.read_text().count("step") if steps.exists() else 0


def _did_the_work(run: ProcessRun) -> str | None:
    steps = _steps_in(run)
    if steps != BASH_CALLS:
        return f"ran {steps} of the {BASH_CALLS} Bash calls"
    if FINAL_ANSWER not in run.stdout:
        return f"printed {run.stdout.strip()[:80]!r} instead of the final answer"
    return None


def _subject(
    argv: list[str], env: dict[str, str], spaces: _Workspaces, memory: bool = False
) -> Callable[[], ProcessRun]:
    return lambda: run_measured(argv, env, spaces.next(), memory=memory)


def _subjects(
    argv: list[str], env: dict[str, str], spaces: _Workspaces
) -> list[Callable[[], ProcessRun]]:
    """Timed and sampled runs, each in its own fresh folder."""
    return [_subject(argv, env, spaces), _subject(argv, env, spaces, memory=True)]


def run(ctx: BenchContext) -> list[Line]:
    parent = ctx.scratch("tool-session")
    hex_spaces = _Workspaces(parent, "hexclaw")
    claude_spaces = _Workspaces(parent, "claude")
    with (
        ScriptedAnthropicServer(responder=bash_session, idle_timeout=300) as hex_server,
        ScriptedAnthropicServer(responder=bash_session, idle_timeout=300) as claude_server,
    ):
        hex_env = hexclaw_env(hex_server.url, ctx.scratch("tool-session-hexclaw-home"))
        subjects = _subjects([*ctx.hexclaw.argv, "-p", PROMPT, *FLAGS], hex_env, hex_spaces)
        if ctx.claude.argv is not None:
            total = 2 * (ctx.plan.runs + ctx.plan.warmup)  # timed and sampled runs
            planned = [parent / f"claude-{n}" for n in range(total)]
            c_env = claude_env(claude_server.url, ctx.scratch("tool-session-claude-home"), planned)
            claude = [*ctx.claude.argv, "-p", PROMPT, *FLAGS]
            subjects += _subjects(claude, c_env, claude_spaces)
        runs = interleave(ctx.plan, subjects)
        hex_tools = offered_tools(hex_server.requests)

    def hexclaw_check(run: ProcessRun) -> str | None:
        problem = _did_the_work(run)
        if problem and "Bash" not in hex_tools:
            offered = ", ".join(sorted(hex_tools)) or "none"
            return f"{problem}: hexclaw offered no Bash tool (tools offered: {offered})"
        return problem

    ours, theirs = sides(runs, [hexclaw_check, _did_the_work], ctx.claude.problem)
    return wall_and_memory(
        row=NAME,
        label=f"{BASH_CALLS} Bash calls + answer",
        ours=ours,
        peer="claude -p --allowedTools Bash",
        theirs=theirs,
        wall_target=0.5,
        memory_target=0.25,
        command=ctx.command(NAME),
        note=ctx.hexclaw.note,
    )
