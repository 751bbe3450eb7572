"""The real ``hexclaw`` REPL in a real terminal (tmux) against the scripted local server."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import HEXCLAW, hexclaw_env

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(60)]

# The toolbar appears when the prompt is ready for input.
READY = re.compile(r"context \S+/200\.0k")
AFTER_ONE_CALL = "context 19/200.0k"


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    driver = TmuxDriver(width=120, height=40)
    try:
        yield driver
    finally:
        driver.close()


def start(
    tmux: TmuxDriver,
    server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    *args: str,
    **env: str,
) -> None:
    environment = hexclaw_env(server.url, config_home, **env)
    if environment.get("NO_COLOR") == "":
        del environment["NO_COLOR"]
    tmux.start([*HEXCLAW, *args], environment, workspace)
    tmux.wait_for(READY, timeout=15)


def ask(tmux: TmuxDriver, text: str) -> None:
    tmux.type(text)
    tmux.send("Enter")


def user_texts(body: dict[str, Any]) -> list[str]:
    """The text blocks of the last user message of a recorded request."""
    content = body["messages"][-1]["content"]
    if isinstance(content, str):
        return [content]
    return [block["text"] for block in content if block.get("type") == "text"]


def test_a_streamed_answer_with_a_code_block_is_rendered_once(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    answer = (
        "# Plan\n\nRun this:\n\n```python\ndef greet():\n    return 'hi'\n```\n\n"
        "- first step\n- second step\n"
    )
    anthropic_server.add(
        Reply.sse(text_message_events(answer), chunk_size=40, delay_between_chunks=0.03)
    )
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "show me code")
    screen = tmux.wait_for(AFTER_ONE_CALL, timeout=10, history=200)
    # The final rendering: the code without its fences, the list as bullets, each line once.
    assert screen.count("def greet():") == 1
    assert screen.count("return 'hi'") == 1
    assert screen.count("second step") == 1
    assert "```" not in screen
    assert re.search(r"• first step", screen)
    assert "Writing…" not in screen
    assert "Thinking…" not in screen
    assert user_texts(anthropic_server.requests[0].body) == ["show me code"]


def test_ctrl_c_interrupts_a_long_stream_and_the_repl_goes_on(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    words = " ".join(f"word{i}" for i in range(400))
    anthropic_server.add(
        Reply.sse(text_message_events(words), chunk_size=60, delay_between_chunks=0.05),
        Reply.sse(text_message_events("Fine, stopping there.")),
    )
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "count for me")
    tmux.wait_for("word3", timeout=10)
    tmux.send("C-c")
    tmux.wait_for("Interrupted", timeout=5)
    tmux.wait_for(READY, timeout=5)
    ask(tmux, "stop")
    screen = tmux.wait_for("Fine, stopping there.", timeout=10, history=300)
    assert "word399" not in screen
    second = anthropic_server.requests[1].body["messages"]
    # The cut-off answer was kept, as far as it had streamed, and the conversation goes on.
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    kept = second[1]["content"][0]["text"]
    assert kept.startswith("word0 word1")
    assert "word399" not in kept
    assert user_texts(anthropic_server.requests[1].body) == ["stop"]


def test_history_is_recalled_with_up_and_searched_with_ctrl_r_in_a_new_session(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("one")),
        Reply.sse(text_message_events("two")),
        Reply.sse(text_message_events("three")),
    )
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "what is a monad")
    tmux.wait_for(AFTER_ONE_CALL, timeout=10)
    ask(tmux, "and a functor")
    tmux.wait_for(lambda s: s.count("context 19/200.0k") == 1 and "two" in s, timeout=10)
    tmux.send("Up", "Up")
    tmux.wait_for("> what is a monad", timeout=5)
    tmux.send("C-c")
    ask(tmux, "/exit")
    assert tmux.exit_status() == 0

    second = TmuxDriver()
    try:
        start(second, anthropic_server, config_home, workspace)
        second.send("C-r")
        second.type("mona")
        second.wait_for("what is a monad", timeout=5)
        second.send("Enter")
        second.wait_for(lambda s: "three" in s and bool(READY.search(s)), timeout=10)
    finally:
        second.close()
    assert user_texts(anthropic_server.requests[2].body) == ["what is a monad"]


def test_multi_line_input_paste_and_a_completed_file_mention(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("remember the milk\n")
    anthropic_server.add(*(Reply.sse(text_message_events(f"ok {n}")) for n in range(3)))
    start(tmux, anthropic_server, config_home, workspace)
    tmux.type("line one")
    tmux.send("Escape", "Enter")
    tmux.type("line two \\")
    tmux.send("Enter")
    tmux.type("line three")
    tmux.send("Enter")
    tmux.wait_for("ok 0", timeout=10)
    tmux.wait_for(READY)
    tmux.paste("pasted alpha\npasted beta\n")
    tmux.wait_for("pasted beta", timeout=5)
    tmux.send("Enter")
    tmux.wait_for("ok 1", timeout=10)
    tmux.wait_for(READY)
    tmux.type("summarise @no")
    tmux.wait_for("notes.txt", timeout=5)
    tmux.send("Tab")
    tmux.wait_for("summarise @notes.txt", timeout=5)
    ask(tmux, " please")
    tmux.wait_for("ok 2", timeout=10)
    bodies = [r.body for r in anthropic_server.requests]
    assert user_texts(bodies[0]) == ["line one\nline two \nline three"]
    assert user_texts(bodies[1]) == ["pasted alpha\npasted beta\n"]
    prompt, attached = user_texts(bodies[2])
    assert prompt == "summarise @notes.txt please"
    assert '<file path="notes.txt">\nremember the milk\n</file>' in attached


def test_cost_unknown_commands_and_exit(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("Hello!")))
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "hi")
    tmux.wait_for(AFTER_ONE_CALL, timeout=10)
    ask(tmux, "/cost")
    # 12 input and 7 output tokens of claude-sonnet-4-5 at $3 and $15 per million.
    screen = tmux.wait_for("Estimated cost", timeout=5)
    assert "$0.0001" in screen
    assert "input 12 · output 7" in screen
    tmux.type("/co")
    tmux.wait_for("tokens and estimated cost", timeout=5)
    ask(tmux, "ts")
    tmux.wait_for("unknown command /cots; did you mean /cost?", timeout=5)
    ask(tmux, "/model claude-opus-4-5")
    tmux.wait_for("claude-opus-4-5 · default", timeout=5)
    ask(tmux, "/exit")
    assert tmux.exit_status() == 0
    assert len(anthropic_server.requests) == 1


def test_ctrl_c_twice_at_an_empty_prompt_leaves(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    start(tmux, anthropic_server, config_home, workspace)
    tmux.type("half a thought")
    tmux.send("C-c")
    tmux.wait_for(lambda s: "half a thought" not in s)
    tmux.send("C-c")
    tmux.wait_for("Press Ctrl-C again")
    tmux.send("C-c")
    assert tmux.exit_status() == 0
    assert anthropic_server.requests == []


def bash_call_then_answer(command: str, answer: str) -> list[Reply]:
    call = ("toolu_01", "Bash", {"command": command, "description": "make the marker"})
    return [
        Reply.sse(tool_use_events([call], preface="I'll run it.")),
        Reply.sse(text_message_events(answer)),
    ]


def test_a_tool_call_asks_permission_and_the_keyboard_answers(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(*bash_call_then_answer("printf made > marker.txt", "The marker is made."))
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "make the marker")
    screen = tmux.wait_for("Run this command?", timeout=10)
    assert "printf made > marker.txt" in screen
    assert "don't ask again for this command in this session" in screen
    tmux.send("Down", "Up")
    tmux.send("y")
    screen = tmux.wait_for("The marker is made.", timeout=10, history=200)
    assert (workspace / "marker.txt").read_text() == "made"
    assert "● Bash(printf made > marker.txt)" in screen
    assert "Run this command?" not in screen
    results = anthropic_server.requests[1].body["messages"][-1]["content"]
    assert results[0]["type"] == "tool_result"
    assert results[0]["is_error"] is False


def test_a_denied_call_tells_the_model_why(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(*bash_call_then_answer("rm -rf build", "Understood, I will not."))
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "clean up")
    tmux.wait_for("Run this command?", timeout=10)
    tmux.send("n")
    tmux.wait_for("Tell the model why", timeout=5)
    tmux.type("keep the build folder")
    tmux.send("Enter")
    screen = tmux.wait_for("Understood, I will not.", timeout=10, history=200)
    assert "⎿  denied" in screen
    result = anthropic_server.requests[1].body["messages"][-1]["content"][0]
    assert result["is_error"] is True
    assert "keep the build folder" in result["content"]


# An SGR sequence that sets a colour: 30-37/40-47/90-97/100-107, or 38;/48; (256 and RGB).
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|4[0-7]|9[0-7]|10[0-7]|[34]8;[0-9;]+)m")


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [((), {"NO_COLOR": ""}, True), (("--no-color",), {"NO_COLOR": ""}, False), ((), {}, False)],
    ids=["colour", "--no-color", "NO_COLOR"],
)
def test_colour_is_on_in_a_terminal_unless_turned_off(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    flags: tuple[str, ...],
    env: dict[str, str],
    coloured: bool,
) -> None:
    anthropic_server.add(
        Reply.sse(text_message_events("```python\nimport os\nprint(os.sep)\n```\n"))
    )
    start(tmux, anthropic_server, config_home, workspace, *flags, **env)
    ask(tmux, "code please")
    tmux.wait_for(AFTER_ONE_CALL, timeout=10)
    screen = tmux.screen(escapes=True)
    assert "print" in screen
    assert bool(COLOUR.search(screen)) is coloured


def test_allowing_for_the_session_stops_the_questions(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    def call(n: int) -> Reply:
        bash = (f"toolu_{n}", "Bash", {"command": "echo again >> log.txt"})
        return Reply.sse(tool_use_events([bash], message_id=f"msg_{n}"))

    anthropic_server.add(call(1), call(2), Reply.sse(text_message_events("Both ran.")))
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "run it twice")
    tmux.wait_for("Run this command?", timeout=10)
    tmux.send("a")
    screen = tmux.wait_for("Both ran.", timeout=10, history=200)
    assert screen.count("Run this command?") == 0
    assert (workspace / "log.txt").read_text() == "again\nagain\n"


def test_a_write_into_git_is_asked_every_time_with_no_session_option(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    def write(n: int, content: str) -> Reply:
        call = (f"toolu_{n}", "Write", {"file_path": ".git/notes.txt", "content": content})
        return Reply.sse(tool_use_events([call], message_id=f"msg_{n}"))

    notes = workspace / ".git" / "notes.txt"
    anthropic_server.add(write(1, "one"), write(2, "two"), Reply.sse(text_message_events("Both.")))
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "write the notes twice")
    screen = tmux.wait_for("Allow Write to change", timeout=10)
    assert "Yes, and don't ask again" not in screen
    assert "(.git/ changes always need approval" in screen
    assert "2. No, and tell the model why" in screen
    tmux.send("a")  # not an answer here: the question stays until "y"
    tmux.send("y")
    tmux.wait_for(lambda _: notes.exists() and notes.read_text() == "one", timeout=10)
    screen = tmux.wait_for("Allow Write to change", timeout=10)
    assert "Yes, and don't ask again" not in screen
    tmux.send("y")
    tmux.wait_for("Both.", timeout=10, history=200)
    assert notes.read_text() == "two"
    for request in anthropic_server.requests[1:]:
        (result,) = request.body["messages"][-1]["content"]
        assert result["is_error"] is False, result


def tmux_query(tmux: TmuxDriver, *args: str) -> str:
    done = subprocess.run(
        [tmux.binary, "-L", tmux.socket, *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return done.stdout


def test_escape_sequences_in_an_answer_do_not_reach_the_terminal(
    tmux: TmuxDriver, anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    title = "\x1b]2;PWNED-TITLE\x1b\\"
    clipboard = "\x1b]52;c;UFdORUQtQ0xJUA==\x07"
    anthropic_server.add(
        Reply.sse(text_message_events(f"Look {title}here {clipboard}and done.")),
    )
    start(tmux, anthropic_server, config_home, workspace)
    # tmux keeps what a program puts on the clipboard as a paste buffer once this is on.
    tmux_query(tmux, "set-option", "-g", "set-clipboard", "on")
    ask(tmux, "say something odd")
    tmux.wait_for(AFTER_ONE_CALL, timeout=10)
    assert "PWNED-TITLE" not in tmux_query(tmux, "display-message", "-p", "#{pane_title}")
    assert "PWNED" not in tmux_query(tmux, "list-buffers", "-F", "#{buffer_sample}")
    # The rest of each sequence is shown as text, so the attempt is visible.
    screen = tmux.wait_for("and done.", timeout=5, history=200)
    assert "]2;PWNED-TITLE" in screen
