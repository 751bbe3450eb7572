"""hexclaw as a subprocess: ``-p --verbose`` narrates tool calls on stderr, SIGTERM exits 143
and Ctrl-C 130, -p text on a terminal carries no escape sequences, and the REPL says when
the API refused a message and it was taken out of the conversation."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw

pytestmark = pytest.mark.timeout(60)


def tool_then_answer(calls: list[tuple[str, str, dict[str, object]]], answer: str) -> list[Reply]:
    return [
        Reply.sse(tool_use_events(calls, preface="Let me look.")),
        Reply.sse(text_message_events(answer)),
    ]


def test_verbose_shows_each_tool_call_and_its_result_on_stderr(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    calls: list[tuple[str, str, dict[str, object]]] = [
        ("toolu_1", "Bash", {"command": "echo one; echo two", "description": "two lines"}),
        ("toolu_2", "Write", {"file_path": str(workspace / "notes.txt"), "content": "x"}),
    ]
    anthropic_server.add(*tool_then_answer(calls, "All done."))
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "go", "--verbose", "--allowedTools", "Bash(echo:*)"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    # stdout is the answer alone; the narration is on stderr, in order, one line each.
    assert done.stdout == "Let me look.\nAll done.\n"
    bash, bash_result, write, write_result = done.stderr.splitlines()
    assert bash == "● Bash(echo one; echo two)"
    # The Bash tool's own one-line summary, with its exit status.
    assert bash_result.startswith("  ⎿  ")
    assert "exit 0" in bash_result
    assert (write, write_result) == ("● Write(notes.txt)", "  ⎿  denied")
    assert not (workspace / "notes.txt").exists()


def test_without_verbose_stderr_stays_quiet_and_json_is_unchanged(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    call: list[tuple[str, str, dict[str, object]]] = [("toolu_1", "Bash", {"command": "echo hi"})]
    anthropic_server.add(*tool_then_answer(call, "Said hi."))
    anthropic_server.add(*tool_then_answer(call, "Said hi again."))
    env = hexclaw_env(anthropic_server.url, config_home)
    plain = run_hexclaw(["-p", "go", "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert (plain.returncode, plain.stderr) == (0, "")
    assert plain.stdout == "Let me look.\nSaid hi.\n"
    as_json = run_hexclaw(
        ["-p", "go", "--verbose", "--output-format", "json", "--allowedTools", "Bash(echo:*)"],
        env,
        workspace,
    )
    assert (as_json.returncode, as_json.stderr) == (0, "")
    assert '"result": "Said hi again."' in as_json.stdout


def read_until(stream: int, needle: bytes, timeout: float = 20.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while needle not in data:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{needle!r} never arrived; got {data!r}"
        ready, _, _ = select.select([stream], [], [], remaining)
        if ready:
            chunk = os.read(stream, 65536)
            assert chunk, f"closed before {needle!r}; got {data!r}"
            data += chunk
    return data


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_signal_while_a_tool_runs_exits_128_plus_its_number(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    signum: signal.Signals,
    code: int,
) -> None:
    call: list[tuple[str, str, dict[str, object]]] = [("toolu_1", "Bash", {"command": "sleep 30"})]
    anthropic_server.add(*tool_then_answer(call, "never"))
    env = hexclaw_env(anthropic_server.url, config_home)
    proc = subprocess.Popen(
        [*HEXCLAW, "-p", "wait", "--verbose", "--allowedTools", "Bash(sleep:*)"],
        env=env,
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        read_until(proc.stderr.fileno(), b"Bash(sleep 30)")
        started = time.monotonic()
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code
    assert time.monotonic() - started < 10  # the sleep was stopped, not waited for
    assert err.decode().splitlines()[-1] == "hexclaw: interrupted"
    assert "Traceback" not in err.decode()
    assert len(anthropic_server.requests) == 1


ESCAPED = "Title \x1b]2;PWNED-TITLE\x1b\\ and clip \x1b]52;c;UFdORUQ=\x07 end"


def test_text_on_a_terminal_loses_escapes_but_piped_text_is_exact(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events(ESCAPED)), Reply.sse(text_message_events(ESCAPED))
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    piped = run_hexclaw(["-p", "hi"], env, workspace)
    assert piped.stdout == ESCAPED + "\n"

    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*HEXCLAW, "-p", "hi"],
            env=env,
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=subprocess.PIPE,
        )
        os.close(terminal)
        shown = read_until(controller, b" end")
        assert proc.wait(timeout=20) == 0
    finally:
        os.close(controller)
    assert b"\x1b" not in shown
    assert b"\x07" not in shown
    assert b"Title ]2;PWNED-TITLE\\ and clip ]52;c;UFdORUQ= end" in shown


def test_the_repl_says_a_refused_message_was_taken_out_and_does_not_resend_it(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.error(400, "invalid_request_error", "prompt is too long: 250000 tokens"),
        Reply.sse(text_message_events("A short answer.")),
    )
    env = hexclaw_env(anthropic_server.url, config_home, HEXCLAW_MAX_RETRIES="0")
    done = run_hexclaw([], env, workspace, stdin="a huge paste\na short question\n", timeout=30)
    assert done.returncode == 0, done.stderr
    assert "✗ API error 400 invalid_request_error: prompt is too long" in done.stdout
    assert "taken out of the conversation" in done.stdout
    assert "A short answer." in done.stdout
    second = anthropic_server.requests[1].body["messages"]
    assert [(m["role"], [b["text"] for b in m["content"]]) for m in second] == [
        ("user", ["a short question"])
    ]
    # Resuming the session rebuilds the same conversation: the refused message stays out.
    anthropic_server.add(Reply.sse(text_message_events("Resumed.")))
    again = run_hexclaw(["-p", "-c", "and now?"], env, workspace)
    assert again.returncode == 0, again.stderr
    texts = [
        block.get("text")
        for message in anthropic_server.requests[2].body["messages"]
        for block in message["content"]
    ]
    assert texts == ["a short question", "A short answer.", "and now?"]


def test_an_error_line_quoting_the_api_carries_no_escapes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.error(400, "invalid_request_error", "bad \x1b]2;PWNED\x07 input"))
    done = run_hexclaw(["-p", "hi"], hexclaw_env(anthropic_server.url, config_home), workspace)
    assert done.returncode == 1
    assert "\x1b" not in done.stderr
    assert "\x07" not in done.stderr
    assert "invalid_request_error: bad ]2;PWNED input" in done.stderr
