""" "Yes, and don't ask again" on a call that names nothing (a Bash call with an empty command,
a WebFetch URL with no host, a Write with an empty path) remembers nothing, in the real REPL
in a real terminal (tmux): it once added a rule for the whole tool, so the model's next call of
that tool (``rm -rf``, a fetch from any host, a write anywhere) ran without a question."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_repl_tmux import ask, start
from tests.e2e.test_security_webfetch_hosts import ConnectionCounter
from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(60)]


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    driver = TmuxDriver(width=120, height=40)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def counter() -> Iterator[ConnectionCounter]:
    with ConnectionCounter() as listening:
        yield listening


def call(n: int, tool: str, tool_input: dict[str, Any]) -> Reply:
    return Reply.sse(tool_use_events([(f"toolu_{n}", tool, tool_input)], message_id=f"msg_{n}"))


# tool, the input naming nothing, the first question, the dangerous input, what its question
# shows, and what must hold afterwards (nothing ran).
Case = tuple[
    str,
    dict[str, Any],
    str,
    Callable[[Path, int], dict[str, Any]],
    str,
    Callable[[Path, ConnectionCounter], None],
]


def _victim_kept(workspace: Path, _: ConnectionCounter) -> None:
    assert (workspace / "victim" / "keep.txt").read_text() == "precious"


def _nothing_written(workspace: Path, _: ConnectionCounter) -> None:
    assert not (workspace / "planted.txt").exists()


def _nothing_fetched(_: Path, counter: ConnectionCounter) -> None:
    assert counter.accepted == 0


CASES: list[Case] = [
    (
        "Bash",
        {"command": ""},
        "Run this command?",
        lambda _, __: {"command": "rm -rf victim"},
        "rm -rf victim",
        _victim_kept,
    ),
    (
        "WebFetch",
        {"url": "http:///no-host", "prompt": "read it"},
        "Allow WebFetch to reach",
        lambda _, port: {"url": f"http://127.0.0.1:{port}/secret", "prompt": "read it"},
        "127.0.0.1",
        _nothing_fetched,
    ),
    (
        "Write",
        {"file_path": "", "content": "x"},
        "Allow Write to change files?",
        lambda workspace, _: {"file_path": str(workspace / "planted.txt"), "content": "x"},
        "planted.txt",
        _nothing_written,
    ),
]


@pytest.mark.parametrize(
    ("tool", "empty", "first_question", "dangerous", "shown", "nothing_ran"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_a_call_that_names_nothing_offers_no_session_answer_and_the_next_call_is_asked(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    counter: ConnectionCounter,
    tool: str,
    empty: dict[str, Any],
    first_question: str,
    dangerous: Callable[[Path, int], dict[str, Any]],
    shown: str,
    nothing_ran: Callable[[Path, ConnectionCounter], None],
) -> None:
    (workspace / "victim").mkdir()
    (workspace / "victim" / "keep.txt").write_text("precious")
    anthropic_server.add(
        call(1, tool, empty),
        call(2, tool, dangerous(workspace, counter.port)),
        Reply.sse(text_message_events("Not run.")),
    )
    start(tmux, anthropic_server, config_home, workspace)
    ask(tmux, "go")
    screen = tmux.wait_for(first_question, timeout=10)
    assert "Yes, and don't ask again" not in screen
    assert "the call names no command, host or path to remember" in " ".join(screen.split())
    assert "2. No, and tell the model why" in screen
    tmux.send("a")  # not an answer here: the question stays until "y"
    tmux.send("y")

    # The next call of the same tool is asked about: the first answer was an allow once.
    screen = tmux.wait_for(lambda s: shown in s and "Yes, and don't ask again" in s, timeout=10)
    tmux.send("n")
    tmux.wait_for("Tell the model why", timeout=5)
    tmux.send("Enter")
    tmux.wait_for("Not run.", timeout=10, history=200)
    nothing_ran(workspace, counter)
    first, second = (r.body["messages"][-1]["content"][0] for r in anthropic_server.requests[1:3])
    assert first["tool_use_id"] == "toolu_1"
    assert first["is_error"] is True  # the tool itself refuses the input that names nothing
    assert second["tool_use_id"] == "toolu_2"
    assert second["is_error"] is True
