"""The model's side of the offline demo, and the recording of ``demo/session.yaml``.

``DemoModel`` answers the scripted server's requests the way a model would in this session:
read ``stats.py``, run ``python3 check.py``, fix ``average``, run the check again, sum up.
hexclaw runs for real while it is recorded (``hexclaw PROMPT --record ...`` in a copy of
``demo/project``), so every tool result in the recorded requests is real output.

Re-record with ``python -m tests.fakes.record_cassettes demo``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from entrypoints.demo import CHECK, MODEL, PROJECT, SESSION, demo_args
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    encode_events,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    text_delta,
)
from tests.support import HEXCLAW, hexclaw_env


class DemoModel:
    """Plays the model: the step is the number of tool results the conversation holds."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.seen: list[RecordedRequest] = []

    def __call__(self, request: RecordedRequest) -> Reply:
        self.seen.append(request)
        step = sum(
            1
            for message in request.body.get("messages", [])
            for block in _blocks(message)
            if block.get("type") == "tool_result"
        )
        stats = str(self.workspace / "stats.py")
        turns: list[tuple[str, tuple[str, dict[str, Any]] | None]] = [
            ("I'll start by reading `stats.py`.", ("Read", {"file_path": stats})),
            (
                "Now let me run the checks to see how they fail.",
                ("Bash", {"command": CHECK, "description": "Run the checks"}),
            ),
            (
                "`average` divides by `len(values) + 1`, so every mean comes out too small. "
                "It should divide by `len(values)`.",
                (
                    "Edit",
                    {
                        "file_path": stats,
                        "old_string": "return sum(values) / (len(values) + 1)",
                        "new_string": "return sum(values) / len(values)",
                    },
                ),
            ),
            (
                "Let me run the checks again.",
                ("Bash", {"command": CHECK, "description": "Run the checks again"}),
            ),
            (
                "Fixed. `average` in `stats.py` divided by `len(values) + 1` instead of "
                "`len(values)`; with that corrected, all 3 checks in `check.py` pass.",
                None,
            ),
        ]
        text, call = turns[min(step, len(turns) - 1)]
        return _reply(step, text, call)


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _reply(step: int, text: str, call: tuple[str, dict[str, Any]] | None) -> Reply:
    usage = {"input_tokens": 2400 + 350 * step, "output_tokens": 1}
    events: list[EventSpec] = [message_start(f"msg_demo_{step + 1:02d}", MODEL, usage)]
    events.append(block_start(0, {"type": "text", "text": ""}))
    words = text.split(" ")
    events.extend(
        text_delta(0, word if i == len(words) - 1 else word + " ") for i, word in enumerate(words)
    )
    events.append(block_stop(0))
    if call is not None:
        name, tool_input = call
        tool_id = f"toolu_demo_{step + 1:02d}"
        events.append(
            block_start(1, {"type": "tool_use", "id": tool_id, "name": name, "input": {}})
        )
        raw = json.dumps(tool_input)
        events.extend(json_delta(1, raw[i : i + 24]) for i in range(0, len(raw), 24))
        events.append(block_stop(1))
    output_tokens = 12 + 3 * len(words)
    events.append(
        message_delta("tool_use" if call else "end_turn", {"output_tokens": output_tokens})
    )
    events.append(message_stop())
    # One event per chunk, a little apart, so the replay streams event by event as live.
    chunks = [encode_events([event]) for event in events]
    return Reply(
        chunks=chunks,
        headers={"content-type": "text/event-stream", "request-id": f"req_demo_{step + 1:02d}"},
        delay_between_chunks=0.01,
    )


class DemoRecordingFailed(Exception):
    pass


def record_demo_session(target: Path = SESSION) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch) / "project"
        shutil.copytree(PROJECT, workspace)
        home = Path(scratch) / "claude-home"
        home.mkdir()
        model = DemoModel(workspace.resolve())
        with ScriptedAnthropicServer(responder=model, idle_timeout=60) as server:
            done = subprocess.run(
                [*HEXCLAW, *demo_args("--record", target)],
                env=hexclaw_env(server.url, home),
                cwd=workspace,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        fixed = "return sum(values) / len(values)" in (workspace / "stats.py").read_text()
        if done.returncode != 0 or len(model.seen) != 5 or not fixed:
            raise DemoRecordingFailed(
                f"exit {done.returncode}, {len(model.seen)} model calls, fixed={fixed}\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
    return target
