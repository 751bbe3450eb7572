"""Row 6: resuming a saved session of 500, 5,000 and 50,000 messages: the time, and how it
grows. No peer; the target is linear growth and under 1 s at 5,000 messages.

The logs are written in hexclaw's own session format (``domain.sessions.log``), a
realistic mix of prompts, tool calls, tool results and answers, where the session store
keeps them. Resuming is what ``--resume ID`` does: ``SessionStore.start(resume=ID)`` reads
the file and rebuilds the conversation the API will be sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from adapters.files.session_store import SessionStore
from adapters.system.clock import SystemClock
from bench.context import BenchContext
from bench.report import Line, Target
from bench.sampling import interleave, median
from domain.conversation.transcript import Conversation
from domain.messages.content import ConversationMessage, TextBlock, ToolResultBlock, ToolUseBlock
from domain.sessions.log import (
    SessionHeader,
    encode_entry,
    header_entry,
    message_entry,
)

NAME = "session_resume"
FULL_SIZES = (500, 5_000, 50_000)
QUICK_SIZES = (100, 500, 2_000)  # multiples of 4: every exchange complete
TARGET_SIZE = 5_000
TARGET_SECONDS = 1.0
# Linear growth: the time per message at the largest size is at most this multiple of
# the time per message at the target size.
LINEAR_SLACK = 1.5


def _message(number: int) -> ConversationMessage:
    step, kind = divmod(number, 4)
    if kind == 0:
        text = f"Step {step}: look at module_{step}.py and fix the failing test it mentions."
        return ConversationMessage(role="user", content=[TextBlock(text=text)])
    if kind == 1:
        call = ToolUseBlock(
            id=f"toolu_{step:06d}",
            name="Bash",
            input={"command": f"pytest tests/test_module_{step}.py -q", "description": "run"},
        )
        return ConversationMessage(role="assistant", content=[call])
    if kind == 2:
        output = f"F.. [100%]\nFAILED tests/test_module_{step}.py::test_{step} - assert 1 == 2\n"
        result = ToolResultBlock(tool_use_id=f"toolu_{step:06d}", content=output * 3)
        return ConversationMessage(role="user", content=[result])
    answer = f"The test for module_{step} compared the wrong values; I fixed the assertion. " * 3
    return ConversationMessage(role="assistant", content=[TextBlock(text=answer)])


def write_log(path: Path, workspace: Path, messages: int) -> None:
    stamp = "2026-01-01T00:00:00.000Z"
    header = SessionHeader(
        session_id=path.stem, cwd=str(workspace), started_at=stamp, version="bench"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(encode_entry(header_entry(header)))
        for number in range(messages):
            model = "claude-sonnet-4-5" if number % 2 else None
            entry = message_entry(_message(number), model=model)
            entry["timestamp"] = stamp
            f.write(encode_entry(entry))


class _Resumer:
    """Resumes sessions of one workspace the way ``--resume ID`` does."""

    def __init__(self, home: Path, workspace: Path) -> None:
        self.workspace = workspace
        self.store = SessionStore(home, SystemClock())
        self.folder = self.store.folder(workspace)

    def resume(self, session_id: str) -> Conversation:
        started = self.store.start(self.workspace, resume=session_id, persist=False)
        if started.conversation is None:
            raise AssertionError(f"resuming {session_id} gave no conversation")
        return started.conversation


def _timed(resumer: _Resumer, session_id: str, expected: int) -> Callable[[], float]:
    def once() -> float:
        started = time.perf_counter()
        conversation = resumer.resume(session_id)
        seconds = time.perf_counter() - started
        if len(conversation.messages) != expected:
            raise AssertionError(
                f"resumed {len(conversation.messages)} of {expected} messages of {session_id}"
            )
        return seconds

    return once


def run(ctx: BenchContext) -> list[Line]:
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    workspace = ctx.scratch("sessions-workspace")
    resumer = _Resumer(ctx.scratch("sessions-home"), workspace)
    paths = []
    for size in sizes:
        path = resumer.folder / f"bench-{size}.jsonl"
        write_log(path, workspace, size)
        paths.append(path)
    subjects = [_timed(resumer, path.stem, size) for path, size in zip(paths, sizes, strict=True)]
    runs = interleave(ctx.plan, subjects)
    seconds = [median(times) for times in runs]
    command = ctx.command(NAME)
    lines = []
    for size, path, value in zip(sizes, paths, seconds, strict=True):
        target = Target("at most", TARGET_SECONDS, absolute=True) if size == TARGET_SIZE else None
        lines.append(
            Line(
                row=NAME,
                what=f"resume a {size:,}-message session",
                unit="s",
                ours=value,
                peer="-",
                peer_value=None,
                target=target,
                command=command,
                note=f"{path.stat().st_size / 1e6:.1f} MB log" if size == sizes[-1] else "",
                runs=ctx.plan.runs,
            )
        )
    per_message = [value / size for value, size in zip(seconds, sizes, strict=True)]
    lines.append(
        Line(
            row=NAME,
            what=f"resume growth: time per message at {sizes[-1]:,} / at {sizes[1]:,}",
            unit="x",
            ours=per_message[-1] / per_message[1],
            peer="-",
            peer_value=None,
            target=Target("at most", LINEAR_SLACK, absolute=True),
            command=command,
            note=f"1.00x is linear; at {sizes[0]:,} it was "
            f"{per_message[0] / per_message[1]:.2f}x the per-message time at {sizes[1]:,}",
            runs=ctx.plan.runs,
        )
    )
    return lines
