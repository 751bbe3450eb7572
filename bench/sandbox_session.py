"""The ten-Bash-call session of ``tool_session`` with the OS sandbox on, against the same
session with it off (target: at most 1.3x the wall time), and against Claude Code with its
own sandbox on (``--settings '{"sandbox": {"enabled": true}}'``; it needs bubblewrap and
socat, which ``make bench`` installs when run as root, and a run where its sandbox did not
start gives no number)."""

from __future__ import annotations

import json

from bench.compare_runs import WALL, Side, compare
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun
from bench.report import Line, Target
from bench.sampling import interleave
from bench.scripted_replies import BASH_CALLS, bash_session
from bench.tool_session import FLAGS, PROMPT, _did_the_work, _subject, _Workspaces
from tests.fakes.anthropic_server import ScriptedAnthropicServer

NAME = "sandbox_session"
SANDBOX_ON = json.dumps({"sandbox": {"enabled": True}})


def _claude_was_sandboxed(run: ProcessRun) -> str | None:
    # Claude Code runs unsandboxed, with a warning, when bubblewrap or socat is missing:
    # timing that would compare a sandbox with none.
    if "Sandbox disabled" in run.stderr:
        return "its sandbox did not start (" + " ".join(run.stderr.split())[:160] + ")"
    return _did_the_work(run)


def run(ctx: BenchContext) -> list[Line]:
    parent = ctx.scratch("sandbox-session")
    on_spaces = _Workspaces(parent, "on")
    off_spaces = _Workspaces(parent, "off")
    claude_spaces = _Workspaces(parent, "claude")
    with (
        ScriptedAnthropicServer(responder=bash_session, idle_timeout=300) as on_server,
        ScriptedAnthropicServer(responder=bash_session, idle_timeout=300) as off_server,
        ScriptedAnthropicServer(responder=bash_session, idle_timeout=300) as claude_server,
    ):
        hexclaw = [*ctx.hexclaw.argv, "-p", PROMPT, *FLAGS]
        on_env = hexclaw_env(on_server.url, ctx.scratch("sandbox-session-on-home"))
        off_env = hexclaw_env(off_server.url, ctx.scratch("sandbox-session-off-home"))
        subjects = [
            _subject([*hexclaw, "--sandbox"], on_env, on_spaces),
            _subject(hexclaw, off_env, off_spaces),
        ]
        if ctx.claude.argv is not None:
            total = ctx.plan.runs + ctx.plan.warmup
            planned = [parent / f"claude-{n}" for n in range(total)]
            c_env = claude_env(claude_server.url, ctx.scratch("sandbox-session-claude"), planned)
            claude = [*ctx.claude.argv, "-p", PROMPT, *FLAGS, "--settings", SANDBOX_ON]
            subjects.append(_subject(claude, c_env, claude_spaces))
        runs = interleave(ctx.plan, subjects)
    ours = Side(runs[0], check=_did_the_work)
    label = f"{BASH_CALLS} Bash calls + answer, sandbox on, wall time"
    lines = [
        compare(
            row=NAME,
            what=f"{label} vs off",
            quantity=WALL,
            ours=ours,
            peer="hexclaw -p, sandbox off",
            theirs=Side(runs[1], check=_did_the_work),
            target=Target("at most", 1.3),
            command=ctx.command(NAME),
            note=ctx.hexclaw.note,
        )
    ]
    theirs = (
        Side(runs[2], check=_claude_was_sandboxed)
        if len(runs) > 2
        else Side(None, ctx.claude.problem)
    )
    lines.append(
        compare(
            row=NAME,
            what=f"{label} vs Claude Code's",
            quantity=WALL,
            ours=ours,
            peer="claude -p, its sandbox on",
            theirs=theirs,
            target=Target("at most", 1.0),
            command=ctx.command(NAME),
        )
    )
    return lines
