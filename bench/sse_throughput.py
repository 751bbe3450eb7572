"""Row 4: SSE framing plus stream reduction, hexclaw's against the official SDK's, on the
same bytes: a stream of 20,000 text deltas and one carrying a 5 MB tool input.

The SDK side is what its ``MessageStream`` does with each network chunk:
``SSEDecoder.iter_bytes``, ``json.loads`` of each event's data, ``construct_type`` into a
``RawMessageStreamEvent``, then ``accumulate_event`` and ``build_events``. hexclaw's side is
what its client does: ``SSEFramer.feed`` then ``StreamReducer.apply`` (which also emits the
live updates) and ``finish``. Both receive the same list of 64 KiB chunks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bench.context import BenchContext
from bench.peers import anthropic_sdk
from bench.report import Line, Target
from bench.sampling import interleave, median
from domain.messages.content import Message, TextBlock, ToolUseBlock
from domain.stream.reducer import reduce_chunks
from tests.fakes import sse_script

NAME = "sse"
CHUNK = 64 * 1024
# The SDK re-parses the whole buffered tool input on every fragment, so its cost grows
# with the square of the fragment count; 16 KiB fragments keep a 5 MB input measurable.
TOOL_FRAGMENT = 16 * 1024


def text_stream(deltas: int) -> bytes:
    events = [
        sse_script.message_start(),
        sse_script.ping(),
        sse_script.block_start(0, {"type": "text", "text": ""}),
        *(sse_script.text_delta(0, f"tok{i % 977} ") for i in range(deltas)),
        sse_script.block_stop(0),
        sse_script.message_delta(usage={"output_tokens": deltas}),
        sse_script.message_stop(),
    ]
    return sse_script.encode_events(events)


def big_tool_input(size: int) -> dict[str, Any]:
    line = 'print("naïve \\"quoted\\" text", end="\\t")  # line of a generated file\n'
    content = (line * (size // len(line) + 1))[:size]
    return {"file_path": "/workspace/generated.py", "content": content}


def tool_stream(size: int) -> bytes:
    call = ("toolu_big", "Write", big_tool_input(size))
    return sse_script.encode_events(sse_script.tool_use_events([call], fragment=TOOL_FRAGMENT))


def chunked(body: bytes) -> list[bytes]:
    return [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]


def hexclaw_reduce(chunks: list[bytes]) -> Message:
    return reduce_chunks(chunks)


def sdk_reducer() -> Callable[[list[bytes]], Any]:
    from anthropic._models import construct_type
    from anthropic._streaming import SSEDecoder
    from anthropic.lib.streaming._messages import accumulate_event, build_events
    from anthropic.types import RawMessageStreamEvent

    def reduce(chunks: list[bytes]) -> Any:
        snapshot: Any = None
        json_bufs: dict[int, bytes] = {}
        for sse in SSEDecoder().iter_bytes(iter(chunks)):
            if sse.event == "ping" or sse.event is None or not sse.data:
                continue
            event: Any = construct_type(type_=RawMessageStreamEvent, value=json.loads(sse.data))
            snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs)
            build_events(event=event, message_snapshot=snapshot)
        return snapshot

    return reduce


def _same_result(ours: Message, theirs: Any) -> str | None:
    """Both sides must have reduced the stream to the same content, or the timing is moot."""
    if len(ours.content) != len(theirs.content):
        return "the SDK and hexclaw reduced the stream to different content"
    for mine, other in zip(ours.content, theirs.content, strict=True):
        if isinstance(mine, TextBlock) and mine.text != other.text:
            return "the SDK and hexclaw reduced the text differently"
        if isinstance(mine, ToolUseBlock) and mine.input != other.input:
            return "the SDK and hexclaw parsed the tool input differently"
    return None


def _timed(reduce: Callable[[list[bytes]], Any], chunks: list[bytes]) -> Callable[[], float]:
    def once() -> float:
        started = time.perf_counter()
        reduce(chunks)
        return time.perf_counter() - started

    return once


def _measure(
    ctx: BenchContext, what: str, body: bytes, sdk: Callable[[list[bytes]], Any] | None
) -> Line:
    chunks = chunked(body)
    events = body.count(b"\n\n")
    notes = [f"{events:,} events, {len(body) / 1e6:.1f} MB in {len(chunks)} chunks"]
    subjects = [_timed(hexclaw_reduce, chunks)]
    problem = (
        anthropic_sdk().problem
        if sdk is None
        else _same_result(hexclaw_reduce(chunks), sdk(chunks))
    )
    if sdk is not None and problem is None:
        subjects.append(_timed(sdk, chunks))
    runs = interleave(ctx.plan, subjects)
    seconds = [median(times) for times in runs]
    notes.append(f"hexclaw {len(body) / seconds[0] / 1e6:.1f} MB/s")
    if len(seconds) > 1:
        notes.append(f"SDK {len(body) / seconds[1] / 1e6:.1f} MB/s")
    if problem:
        notes.append(problem)
    return Line(
        row=NAME,
        what=what,
        unit="events/s",
        ours=events / seconds[0],
        peer="anthropic SDK decoder + accumulator",
        peer_value=events / seconds[1] if len(seconds) > 1 else None,
        target=Target("at least", 3.0),
        command=ctx.command(NAME),
        note="; ".join(notes),
        runs=ctx.plan.runs,
    )


def run(ctx: BenchContext) -> list[Line]:
    deltas = 2_000 if ctx.quick else 20_000
    tool_bytes = 500_000 if ctx.quick else 5_000_000
    sdk = sdk_reducer() if anthropic_sdk().usable else None
    return [
        _measure(ctx, f"SSE framing+reduction, {deltas:,} text deltas", text_stream(deltas), sdk),
        _measure(
            ctx,
            f"SSE framing+reduction, {tool_bytes / 1e6:g} MB tool input",
            tool_stream(tool_bytes),
            sdk,
        ),
    ]
