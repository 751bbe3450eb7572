"""Fifty ``hexclaw -p`` processes at once against one local API, sharing one config home: one
stored login that all of them find expired, and one session folder that all of them write."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

from domain.sessions.log import decode_log
from tests.e2e.test_sessions_cli import session_files
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import OAuthFault
from tests.fakes.sse_script import text_message_events
from tests.support import HEXCLAW, hexclaw_env

PROCESSES = 50
OTHER_KEYS = {"otherTool": {"token": "not ours"}}


class GatedApi:
    """Holds every answer until all the processes have a request in flight, so the test
    proves they really ran at the same time; accepts only tokens the OAuth server issued."""

    def __init__(self, oauth: OAuthFault, expected: int) -> None:
        self.oauth = oauth
        self.expected = expected
        self.all_in = threading.Event()
        self.waiting = 0
        self.peak_waiting = 0
        self._lock = threading.Lock()
        self.server = ScriptedAnthropicServer(responder=self.respond, idle_timeout=90)

    def respond(self, request: RecordedRequest) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not self.oauth.is_live(token):
            return Reply.error(401, "authentication_error", "unknown token")
        prompt = request.body["messages"][-1]["content"][0]["text"]
        with self._lock:
            self.waiting += 1
            self.peak_waiting = max(self.peak_waiting, self.waiting)
            if self.waiting == self.expected:
                self.all_in.set()
        return Reply.sse(
            text_message_events(prompt.replace("question", "answer")),
            gate=self.all_in,
            gate_before_chunk=0,
        )


def test_fifty_processes_at_once_all_succeed_and_corrupt_nothing(
    config_home: Path, workspace: Path
) -> None:
    with OAuthFault("hexclaw-parallel", token_delay=0.5) as oauth:
        access, refresh = oauth.issue()
        expired = {
            "accessToken": access,
            "refreshToken": refresh,
            "expiresAt": int(time.time()) - 10,
            "scopes": ["user:inference"],
        }
        credentials = config_home / "credentials.json"
        credentials.write_text(json.dumps({**OTHER_KEYS, "oauth": expired}))
        settings = {"oauth": oauth.settings(["user:inference"])}
        (config_home / "settings.json").write_text(json.dumps(settings))
        api = GatedApi(oauth, PROCESSES)
        with api.server:
            env = hexclaw_env(api.server.url, config_home)
            del env["ANTHROPIC_API_KEY"]
            started = time.monotonic()
            processes = [
                subprocess.Popen(
                    [*HEXCLAW, "-p", f"question {n}"],
                    env=env,
                    cwd=workspace,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for n in range(PROCESSES)
            ]
            results = [p.communicate(timeout=120) for p in processes]
            took = time.monotonic() - started
    for n, (process, (out, err)) in enumerate(zip(processes, results, strict=True)):
        assert process.returncode == 0, err
        assert out == f"answer {n}\n"
    assert api.peak_waiting == PROCESSES  # all fifty had a request in flight at one moment
    assert took < 90
    # credentials.json: one refresh reached the server; the file is whole and keeps the rest.
    assert oauth.record.refreshes == 1
    assert oauth.record.rejected == 0
    stored = json.loads(credentials.read_text())
    assert stored["otherTool"] == OTHER_KEYS["otherTool"]
    assert stored["oauth"]["accessToken"] == oauth.record.access_tokens[-1]
    assert oauth.is_live(stored["oauth"]["accessToken"])
    # The session folder: fifty whole logs, one per process, each with its own conversation.
    logs = session_files(config_home, workspace)
    assert len(logs) == PROCESSES
    conversations = set()
    for path in logs:
        log = decode_log(path.read_bytes(), str(path))
        assert log.warnings == []
        assert log.header.session_id == path.stem
        kinds = [entry["type"] for entry in log.entries]
        assert kinds == ["message", "message", "turn_end"]
        question, answer = (e["message"]["content"][0]["text"] for e in log.entries[:2])
        assert answer == question.replace("question", "answer")
        conversations.add(question)
    assert conversations == {f"question {n}" for n in range(PROCESSES)}
    assert not [p for p in config_home.rglob("*") if p.name.endswith(".tmp")]
