"""A program driving hexclaw over stream-json (``--permission-prompt-tool stdio``) answers the
permission questions of two concurrent subagents: they reach it one at a time, each naming
the subagent's own call, and every line matches its published schema."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.e2e.subagent_script import PARENT, Router, results_in
from tests.e2e.test_headless_schemas import check_lines
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env


def agent_call(call_id: str, prompt: str) -> tuple[str, str, dict[str, Any]]:
    return (call_id, "Agent", {"description": f"task {call_id}", "prompt": prompt})


def test_a_client_answers_concurrent_subagents_questions_one_at_a_time(
    config_home: Path, workspace: Path
) -> None:
    router = Router(
        {
            PARENT: [
                Reply.sse(
                    tool_use_events([agent_call("toolu_1", "One."), agent_call("toolu_2", "Two.")])
                ),
                Reply.sse(text_message_events("both answered")),
            ],
            "One.": [
                Reply.sse(tool_use_events([("toolu_b1", "Bash", {"command": "echo first"})])),
                Reply.sse(text_message_events("said first")),
            ],
            "Two.": [
                Reply.sse(tool_use_events([("toolu_b2", "Bash", {"command": "echo second"})])),
                Reply.sse(text_message_events("said second")),
            ],
        }
    )
    lines: list[str] = []
    with ScriptedAnthropicServer(responder=router, idle_timeout=60) as server:
        process = subprocess.Popen(
            [
                *HEXCLAW,
                "-p",
                "--input-format",
                "stream-json",
                "--output-format",
                "stream-json",
                "--verbose",
                "--permission-prompt-tool",
                "stdio",
            ],
            env=hexclaw_env(server.url, config_home),
            cwd=workspace,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        timer = threading.Timer(60, process.kill)
        timer.start()
        try:
            user = {"type": "user", "message": {"role": "user", "content": "ask both"}}
            process.stdin.write(json.dumps(user) + "\n")
            process.stdin.flush()
            incoming: queue.Queue[str] = queue.Queue()
            stdout = process.stdout

            def read() -> None:
                for text in stdout:
                    incoming.put(text)

            threading.Thread(target=read, daemon=True).start()
            asked: list[str] = []
            while True:
                raw = incoming.get(timeout=30)
                lines.append(raw)
                line = json.loads(raw)
                if line["type"] == "control_request":
                    request = line["request"]
                    assert request["subtype"] == "can_use_tool"
                    asked.append(request["input"]["command"])
                    # While this one is unanswered, no other question comes.
                    time.sleep(0.5)
                    waiting = [json.loads(x) for x in list(incoming.queue)]
                    assert not [x for x in waiting if x["type"] == "control_request"]
                    answer = {
                        "type": "control_response",
                        "response": {
                            "subtype": "success",
                            "request_id": line["request_id"],
                            "response": {"behavior": "allow", "updatedInput": request["input"]},
                        },
                    }
                    process.stdin.write(json.dumps(answer) + "\n")
                    process.stdin.flush()
                if line["type"] == "result":
                    break
            process.stdin.close()
            process.wait(timeout=30)
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
    assert sorted(asked) == ["echo first", "echo second"]
    result = json.loads(lines[-1])
    assert (result["subtype"], result["result"]) == ("success", "both answered")
    check_lines("".join(lines))
    assert [r["content"] for r in results_in(router.seen[PARENT][1])] == [
        "said first",
        "said second",
    ]
    outputs = [results_in(router.seen[p][1])[0]["content"] for p in ("One.", "Two.")]
    assert [o.strip() for o in outputs] == ["first", "second"]
