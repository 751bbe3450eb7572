"""Row 1: ``hexclaw --version`` and ``--help`` wall time against ``python -c pass`` and
``claude --help``."""

from __future__ import annotations

from collections.abc import Callable

from bench.compare_runs import WALL, Side, compare
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line, Target
from bench.sampling import interleave

NAME = "startup"
UNUSED_URL = "http://127.0.0.1:9"  # neither command calls the API


def run(ctx: BenchContext) -> list[Line]:
    home = ctx.scratch("startup")
    hex_env = hexclaw_env(UNUSED_URL, home)
    hexclaw = list(ctx.hexclaw.argv)

    def subject(argv: list[str], env: dict[str, str]) -> Callable[[], ProcessRun]:
        return lambda: run_measured(argv, env, home)

    version, python_pass = interleave(
        ctx.plan,
        [
            subject([*hexclaw, "--version"], hex_env),
            subject([ctx.hexclaw.python, "-c", "pass"], hex_env),
        ],
    )
    help_subjects = [subject([*hexclaw, "--help"], hex_env)]
    if ctx.claude.argv is not None:
        c_env = claude_env(UNUSED_URL, home / "claude-home", [home])
        help_subjects.append(subject([*ctx.claude.argv, "--help"], c_env))
    help_runs = interleave(ctx.plan, help_subjects)
    claude_help = Side(help_runs[1]) if len(help_runs) > 1 else Side(None, ctx.claude.problem)
    return [
        compare(
            row=NAME,
            what="hexclaw --version wall time",
            quantity=WALL,
            ours=Side(version),
            peer="python -c pass (same venv)",
            theirs=Side(python_pass),
            target=Target("at most", 1.5),
            command=ctx.command(NAME),
            note=ctx.hexclaw.note,
        ),
        compare(
            row=NAME,
            what="hexclaw --help wall time",
            quantity=WALL,
            ours=Side(help_runs[0]),
            peer="claude --help",
            theirs=claude_help,
            target=Target("at most", 0.5),
            command=ctx.command(NAME),
            note=ctx.hexclaw.note,
        ),
    ]
