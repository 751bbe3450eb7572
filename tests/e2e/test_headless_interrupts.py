"""Interrupting a stream-json session's turn at its other waiting points (a running command, a
permission question), ending the session from outside, a client's changed input meeting the
deny rules, and ``permissions explain``."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw

STREAM = ["-p", "--input-format", "stream-json", "--output-format", "stream-json"]


class Session:
    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [*HEXCLAW, *STREAM, *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def say(self, text: str) -> None:
        self.send({"type": "user", "message": {"role": "user", "content": text}})

    def until(self, kind: str, subtype: str | None = None) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            raw = self.proc.stdout.readline()
            assert raw, "the session ended early"
            line: dict[str, Any] = json.loads(raw)
            if line["type"] == kind and (subtype is None or line.get("subtype") == subtype):
                return line

    def interrupt(self, request_id: str) -> None:
        self.send(
            {
                "type": "control_request",
                "request_id": request_id,
                "request": {"subtype": "interrupt"},
            }
        )

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_interrupt_stops_a_running_command_and_the_session_goes_on(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "sleep 30"})])),
        Reply.sse(text_message_events("still here")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    session = Session(["--allowedTools", "Bash(sleep:*)"], env, workspace)
    try:
        session.say("wait a while")
        session.until("system", "permission")
        time.sleep(0.3)  # the command is running
        started = time.monotonic()
        session.interrupt("stop_1")
        result = session.until("result")
        assert time.monotonic() - started < 10
        assert result["subtype"] == "interrupted"
        session.say("are you there?")
        assert session.until("result")["result"] == "still here"
        assert session.close() == 0
    finally:
        session.kill()
    sent = anthropic_server.requests[-1].body["messages"]
    answered = [
        b
        for m in sent
        for b in m["content"]
        if isinstance(b, dict) and b.get("type") == "tool_result"
    ]
    assert "interrupted" in answered[0]["content"]


def test_interrupt_while_a_permission_question_waits(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "touch x"})])))
    env = hexclaw_env(anthropic_server.url, config_home)
    session = Session(["--permission-prompt-tool", "stdio"], env, workspace)
    try:
        session.say("touch x")
        asked = session.until("control_request")
        assert asked["request"]["tool_name"] == "Bash"
        session.interrupt("stop_1")
        assert session.until("result")["subtype"] == "interrupted"
        # A late answer to the abandoned question changes nothing.
        session.send(
            {
                "type": "control_response",
                "response": {
                    "subtype": "success",
                    "request_id": asked["request_id"],
                    "response": {"behavior": "allow"},
                },
            }
        )
        assert session.close() == 0
    finally:
        session.kill()
    assert not (workspace / "x").exists()


def test_a_deny_with_interrupt_ends_the_turn_and_a_closed_stdin_denies(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "touch x"})])),
        Reply.sse(tool_use_events([("toolu_2", "Bash", {"command": "touch y"})])),
        Reply.sse(text_message_events("gave up")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    session = Session(["--permission-prompt-tool", "stdio"], env, workspace)
    try:
        session.say("touch x")
        asked = session.until("control_request")
        answer = {"behavior": "deny", "message": "no", "interrupt": True}
        session.send(
            {
                "type": "control_response",
                "response": {
                    "subtype": "success",
                    "request_id": asked["request_id"],
                    "response": answer,
                },
            }
        )
        assert session.until("result")["subtype"] == "interrupted"
        session.say("touch y")
        session.until("control_request")
        assert session.proc.stdin is not None
        session.proc.stdin.close()  # no answer will come
        result = session.until("result")
        assert result["permission_denials"][0]["tool_use_id"] == "toolu_2"
        assert session.proc.wait(timeout=30) == 0
    finally:
        session.kill()
    assert not (workspace / "x").exists()
    assert not (workspace / "y").exists()


def test_sigint_from_outside_ends_the_session(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("one")))
    env = hexclaw_env(anthropic_server.url, config_home)
    session = Session([], env, workspace)
    try:
        session.say("hi")
        session.until("result")
        session.proc.send_signal(signal.SIGINT)
        assert session.proc.wait(timeout=30) == 130
        assert session.proc.stderr is not None
        assert session.proc.stderr.read().strip() == "hexclaw: interrupted"
    finally:
        session.kill()


def test_permissions_explain_through_the_cli(config_home: Path, workspace: Path) -> None:
    # The user's own settings: a project's may not hold a wildcard Bash allow rule.
    settings = {"permissions": {"allow": ["Bash(git diff:*)"], "deny": ["Bash(rm -rf:*)"]}}
    (config_home / "settings.json").write_text(json.dumps(settings, indent=2))
    env = hexclaw_env("http://127.0.0.1:9", config_home)

    def explain(*args: str) -> subprocess.CompletedProcess[str]:
        return run_hexclaw(["permissions", "explain", *args], env, workspace)

    allowed = explain("git diff --stat")
    assert allowed.returncode == 0
    assert f"{config_home}/settings.json:4" in allowed.stdout
    denied = explain("git diff && sudo rm -rf /")
    assert denied.returncode == 2
    assert "runs: rm -rf /" in denied.stdout
    assert f"rule: Bash(rm -rf:*)  ({config_home}/settings.json:7)" in denied.stdout
    asked = explain("make", "--mode", "acceptEdits")
    assert asked.returncode == 1
    assert "mode: acceptEdits" in asked.stdout
    assert explain("make", "--mode", "bypassPermissions").returncode == 0
    read = explain('{"file_path": "/etc/hosts"}', "--tool", "Read")
    assert (read.returncode, read.stdout.splitlines()[-1].split(" (")[0]) == (1, "decision: ask")
    flag = explain("curl x", "--disallowedTools", "Bash(curl:*)")
    assert flag.returncode == 2
    assert "(--disallowedTools)" in flag.stdout
    unknown = explain("x", "--tool", "Nope")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "unknown tool 'Nope'" in unknown.stderr


def test_a_client_cannot_slip_a_denied_command_in_through_updated_input(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / ".claude").mkdir()
    deny = {"permissions": {"deny": ["Bash(rm:*)"]}}
    (workspace / ".claude" / "settings.json").write_text(json.dumps(deny))
    (workspace / "important.txt").write_text("keep me\n")
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "touch a"})])),
        Reply.sse(text_message_events("ok")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    session = Session(["--permission-prompt-tool", "stdio"], env, workspace)
    try:
        session.say("touch a")
        asked = session.until("control_request")
        answer = {"behavior": "allow", "updatedInput": {"command": "rm -f important.txt"}}
        session.send(
            {
                "type": "control_response",
                "response": {
                    "subtype": "success",
                    "request_id": asked["request_id"],
                    "response": answer,
                },
            }
        )
        decision = session.until("system", "permission")
        assert (decision["decision"], decision["decided_by"]) == ("deny", "rules")
        assert "Bash(rm:*)" in decision["reason"]
        session.until("result")
        assert session.close() == 0
    finally:
        session.kill()
    assert (workspace / "important.txt").read_text() == "keep me\n"
    assert not (workspace / "a").exists()
