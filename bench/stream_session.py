"""Row: a headless session over pipes, ten user messages as stream-json lines on stdin, each
answered by the scripted server, wall time and peak memory, against Claude Code's
``claude -p --input-format stream-json`` with the same input and server."""

from __future__ import annotations

import json

from bench.compare_runs import sides, timed_and_sampled, wall_and_memory
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line
from bench.sampling import interleave
from bench.scripted_replies import ANSWER, answer
from tests.fakes.anthropic_server import ScriptedAnthropicServer

NAME = "stream_session"
TURNS = 10
FLAGS = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"]


def _answered(run: ProcessRun) -> str | None:
    answered = 0
    for text in run.stdout.splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            return f"printed a line that is not JSON: {text[:80]!r}"
        if line.get("type") == "result" and line.get("result") == ANSWER:
            answered += 1
    return None if answered == TURNS else f"answered {answered} of {TURNS} turns"


def run(ctx: BenchContext) -> list[Line]:
    workspace = ctx.scratch("stream-session")
    messages = ctx.scratch("stream-session-input") / "messages.jsonl"
    messages.write_text(
        "".join(
            json.dumps({"type": "user", "message": {"role": "user", "content": f"hi {n}"}}) + "\n"
            for n in range(TURNS)
        )
    )
    with ScriptedAnthropicServer(responder=answer, idle_timeout=300) as server:
        hex_env = hexclaw_env(server.url, ctx.scratch("stream-session-hexclaw-home"))
        ours_argv = [*ctx.hexclaw.argv, *FLAGS]
        subjects = timed_and_sampled(
            lambda m: run_measured(ours_argv, hex_env, workspace, stdin=messages, memory=m)
        )
        if ctx.claude.argv is not None:
            c_env = claude_env(server.url, ctx.scratch("stream-session-claude-home"), [workspace])
            claude = [*ctx.claude.argv, *FLAGS]
            subjects += timed_and_sampled(
                lambda m: run_measured(claude, c_env, workspace, stdin=messages, memory=m)
            )
        runs = interleave(ctx.plan, subjects)
    ours, theirs = sides(runs, [_answered], ctx.claude.problem)
    return wall_and_memory(
        row=NAME,
        label=f"stream-json session, {TURNS} turns",
        ours=ours,
        peer="claude -p --input-format stream-json",
        theirs=theirs,
        wall_target=0.5,
        memory_target=0.25,
        command=ctx.command(NAME),
        note=ctx.hexclaw.note,
    )
