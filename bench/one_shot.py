"""Row 2: a one-shot ``-p`` answer from the scripted server, wall time and peak memory,
against ``claude -p`` on the same server."""

from __future__ import annotations

from bench.compare_runs import sides, timed_and_sampled, wall_and_memory
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line
from bench.sampling import interleave
from bench.scripted_replies import ANSWER, answer
from tests.fakes.anthropic_server import ScriptedAnthropicServer

NAME = "one_shot"
PROMPT = "say hi"


def _answered(run: ProcessRun) -> str | None:
    if ANSWER in run.stdout:
        return None
    return f"printed {run.stdout.strip()[:80]!r} instead of the scripted answer"


def run(ctx: BenchContext) -> list[Line]:
    workspace = ctx.scratch("one-shot")
    with ScriptedAnthropicServer(responder=answer, idle_timeout=300) as server:
        hex_env = hexclaw_env(server.url, ctx.scratch("one-shot-hexclaw-home"))
        ours_argv = [*ctx.hexclaw.argv, "-p", PROMPT]
        subjects = timed_and_sampled(
            lambda m: run_measured(ours_argv, hex_env, workspace, memory=m)
        )
        if ctx.claude.argv is not None:
            c_env = claude_env(server.url, ctx.scratch("one-shot-claude-home"), [workspace])
            claude = [*ctx.claude.argv, "-p", PROMPT]
            subjects += timed_and_sampled(
                lambda m: run_measured(claude, c_env, workspace, memory=m)
            )
        runs = interleave(ctx.plan, subjects)
    ours, theirs = sides(runs, [_answered], ctx.claude.problem)
    return wall_and_memory(
        row=NAME,
        label="-p one-shot",
        ours=ours,
        peer="claude -p",
        theirs=theirs,
        wall_target=0.5,
        memory_target=0.25,
        command=ctx.command(NAME),
        note=ctx.hexclaw.note,
    )
