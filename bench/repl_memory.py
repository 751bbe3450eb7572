"""Row 7: idle memory of the interactive REPL in a real terminal (tmux), against Claude
Code's interactive process in the same kind of terminal.

"Idle" is when the process tree's memory has settled: it has run for a while and has
not changed by more than 2% for a second. That needs no knowledge of either program's
prompt, so both are judged by the same rule.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import tree_memory_kib
from bench.report import Line, Target
from bench.sampling import interleave, median
from bench.scripted_replies import answer
from bench.tmux_pane import TmuxPane, TmuxUnavailable
from tests.fakes.anthropic_server import ScriptedAnthropicServer

NAME = "repl_memory"
SAMPLE_EVERY = 0.25
SETTLED_FOR = 4  # consecutive samples within the tolerance
TOLERANCE = 0.02
CLAUDE_PROMPT = "\u276f"  # the chevron of Claude Code's input box


def _hexclaw_ready(screen: str) -> bool:
    return any(line.rstrip() == ">" for line in screen.splitlines())


def _claude_ready(screen: str) -> bool:
    return CLAUDE_PROMPT in screen


@dataclass(frozen=True)
class IdleReading:
    mib: float | None
    problem: str = ""


def _last_words(screen: str) -> str:
    lines = [line.strip() for line in screen.splitlines() if line.strip()]
    return " / ".join(lines[-3:])[:200] or "an empty screen"


def idle_memory(
    pane: TmuxPane, min_wait: float, timeout: float, ready: Callable[[str], bool] | None
) -> IdleReading:
    started = time.monotonic()
    samples: list[int] = []
    while time.monotonic() - started < timeout:
        pid = pane.pid
        if pid is None:
            return IdleReading(
                None, f"the process exited; its screen: {_last_words(pane.screen())}"
            )
        samples.append(tree_memory_kib(pid))
        recent = samples[-SETTLED_FOR:]
        settled = len(recent) == SETTLED_FOR and max(recent) <= min(recent) * (1 + TOLERANCE)
        if settled and time.monotonic() - started >= min_wait and min(recent) > 0:
            screen = pane.screen()
            if ready is not None and not ready(screen):
                return IdleReading(None, f"it settled before its prompt: {_last_words(screen)}")
            return IdleReading(recent[-1] / 1024)
        time.sleep(SAMPLE_EVERY)
    return IdleReading(None, f"memory did not settle within {timeout:.0f} s")


def _subject(
    argv: list[str],
    env_for: Callable[[Path], dict[str, str]],
    parent: Path,
    prefix: str,
    min_wait: float,
    ready: Callable[[str], bool] | None = None,
) -> Callable[[], IdleReading]:
    numbers = itertools.count()

    def once() -> IdleReading:
        workspace = parent / f"{prefix}-{next(numbers)}"
        workspace.mkdir()
        try:
            with TmuxPane(argv, env_for(workspace), workspace, prefix) as pane:
                return idle_memory(pane, min_wait=min_wait, timeout=30, ready=ready)
        except TmuxUnavailable as exc:
            return IdleReading(None, str(exc))

    return once


def run(ctx: BenchContext) -> list[Line]:
    parent = ctx.scratch("repl")
    min_wait = 1.5 if ctx.quick else 3.0
    with ScriptedAnthropicServer(responder=answer, idle_timeout=300) as server:
        hex_home = ctx.scratch("repl-hexclaw-home")
        subjects = [
            _subject(
                list(ctx.hexclaw.argv),
                lambda _: hexclaw_env(server.url, hex_home),
                parent,
                "hexclaw",
                min_wait,
                ready=_hexclaw_ready,
            )
        ]
        if ctx.claude.argv is not None:
            claude_home = ctx.scratch("repl-claude-home")
            total = ctx.plan.runs + ctx.plan.warmup
            trusted = [parent / f"claude-{n}" for n in range(total)]
            env = claude_env(server.url, claude_home, trusted)
            subjects.append(
                _subject(
                    list(ctx.claude.argv),
                    lambda _: env,
                    parent,
                    "claude",
                    min_wait,
                    ready=_claude_ready,
                )
            )
        runs = interleave(ctx.plan, subjects)
    ours = _summary(runs[0])
    theirs = _summary(runs[1]) if len(runs) > 1 else (None, ctx.claude.problem)
    notes = [
        ctx.hexclaw.note,
        f"hexclaw: {ours[1]}" if ours[1] else "",
        f"Claude Code: {theirs[1]}" if theirs[1] else "",
    ]
    return [
        Line(
            row=NAME,
            what="idle REPL memory (process tree, in tmux)",
            unit="MiB",
            ours=ours[0],
            peer="claude (interactive, in tmux)",
            peer_value=theirs[0],
            target=Target("at most", 1 / 3),
            command=ctx.command(NAME),
            note="; ".join(note for note in notes if note),
            runs=len(runs[0]),
        )
    ]


def _summary(readings: list[IdleReading]) -> tuple[float | None, str]:
    problems = [reading.problem for reading in readings if reading.mib is None]
    if problems:
        return None, problems[0]
    return median([reading.mib for reading in readings if reading.mib is not None]), ""
