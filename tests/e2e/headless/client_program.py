"""A program that drives a coding agent's headless mode over pipes, as a user would write one.

It knows nothing of hexclaw: it starts the command given after ``--``, speaks Claude Code's
stream-json protocol (NDJSON user messages and control requests in, NDJSON lines out),
checks every output line against the published JSON Schemas, and prints a JSON report.

The conversation: an ``initialize`` control request; turn 1, a plain question; turn 2, a
request that makes the agent run a command, whose ``can_use_tool`` question it allows; a
``set_permission_mode`` control request; turn 3, a question whose streamed answer it
interrupts with an ``interrupt`` control request; then it closes stdin and waits for the exit.

Usage: python client_program.py SCHEMA_DIR -- COMMAND [ARG...]
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import jsonschema

TIMEOUT = 30.0


class Agent:
    def __init__(self, command: list[str], schemas: Path) -> None:
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.schemas = {
            path.name.removesuffix(".schema.json"): json.loads(path.read_text())
            for path in schemas.glob("*.schema.json")
        }
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.problems: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for text in self.proc.stdout:
            try:
                line = json.loads(text)
            except ValueError:
                self.problems.append(f"not JSON: {text[:200]!r}")
                continue
            self._check(line)
            self.lines.put(line)
        self.lines.put(None)

    def _check(self, line: dict[str, Any]) -> None:
        kind = line.get("type")
        name = f"system_{line.get('subtype')}" if kind == "system" else str(kind)
        schema = self.schemas.get(name)
        if schema is None:
            self.problems.append(f"no schema for a {name!r} line")
            return
        for error in jsonschema.Draft202012Validator(schema).iter_errors(line):
            self.problems.append(f"{name}: {error.message} at {list(error.absolute_path)}")

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def next_line(self) -> dict[str, Any]:
        line = self.lines.get(timeout=TIMEOUT)
        if line is None:
            raise EOFError("the agent closed its output")
        self.seen.append(line)
        return line

    def control(self, request_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """Send a control request and read up to its response."""
        self.send({"type": "control_request", "request_id": request_id, "request": request})
        while True:
            line = self.next_line()
            if line["type"] == "control_response" and line["response"]["request_id"] == request_id:
                return dict(line["response"])

    def turn(self, text: str, interrupt_after_first_delta: bool = False) -> dict[str, Any]:
        """One user message; answers permission questions; returns what the turn showed."""
        self.send({"type": "user", "message": {"role": "user", "content": text}})
        shown: dict[str, Any] = {"inits": [], "permissions": 0, "interrupt": None}
        asked_to_stop = False
        while True:
            line = self.next_line()
            kind = line["type"]
            if kind == "system" and line.get("subtype") == "init":
                shown["inits"].append(line)
            elif kind == "control_request" and line["request"]["subtype"] == "can_use_tool":
                shown["permissions"] += 1
                request = line["request"]
                answer = {"behavior": "allow", "updatedInput": request["input"]}
                self.send(
                    {
                        "type": "control_response",
                        "response": {
                            "subtype": "success",
                            "request_id": line["request_id"],
                            "response": answer,
                        },
                    }
                )
            elif kind == "stream_event" and interrupt_after_first_delta and not asked_to_stop:
                event = line["event"]
                if event["type"] == "content_block_delta":
                    asked_to_stop = True
                    self.send(
                        {
                            "type": "control_request",
                            "request_id": "stop_1",
                            "request": {"subtype": "interrupt"},
                        }
                    )
            elif kind == "control_response" and line["response"]["request_id"] == "stop_1":
                shown["interrupt"] = line["response"]["subtype"]
            elif kind == "result":
                shown["result"] = line
                return shown

    def finish(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        while True:
            try:
                self.next_line()
            except EOFError:
                break
        return self.proc.wait(timeout=TIMEOUT)


def main(argv: list[str]) -> int:
    schemas, command = Path(argv[0]), argv[argv.index("--") + 1 :]
    agent = Agent(command, schemas)
    report: dict[str, Any] = {}
    try:
        report["initialize"] = agent.control("init_1", {"subtype": "initialize", "hooks": None})
        turns = [agent.turn("Say hello.")]
        turns.append(agent.turn("Write the word step into f.txt and show it."))
        report["set_mode"] = agent.control(
            "mode_1", {"subtype": "set_permission_mode", "mode": "acceptEdits"}
        )
        turns.append(agent.turn("Tell me a long story.", interrupt_after_first_delta=True))
        report["exit_code"] = agent.finish()
    except (EOFError, queue.Empty, KeyError, TypeError) as exc:
        report["failure"] = f"{type(exc).__name__}: {exc}"
        agent.proc.kill()
        turns = []
    assert agent.proc.stderr is not None
    report["stderr"] = agent.proc.stderr.read()
    report["turns"] = [
        {
            "init_modes": [i["permissionMode"] for i in t["inits"]],
            "permissions": t["permissions"],
            "interrupt": t["interrupt"],
            "subtype": t["result"]["subtype"],
            "is_error": t["result"]["is_error"],
            "result": t["result"].get("result"),
        }
        for t in turns
    ]
    report["session_ids"] = sorted({str(x["session_id"]) for x in agent.seen if "session_id" in x})
    report["types"] = [
        f"{x['type']}/{x['subtype']}" if "subtype" in x and x["type"] != "result" else x["type"]
        for x in agent.seen
    ]
    report["problems"] = agent.problems
    print(json.dumps(report, indent=2))
    return 0 if not agent.problems and "failure" not in report else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
