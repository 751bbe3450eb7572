"""The permission menu driven by real key sequences through prompt_toolkit's pipe input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from adapters.permission_menu import PermissionMenu, question_for
from domain.tool_calls import PermissionAnswer, ToolAccess, ToolCall

CALL = ToolCall(id="toolu_1", name="Bash", input={"command": "npm test"})
ACCESS = ToolAccess(tool="Bash", kind="execute", command="npm test")
DOWN, UP, ESC = "\x1b[B", "\x1b[A", "\x1b"


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


def ask(pipe: PipeInput, typed: str) -> PermissionAnswer:
    pipe.send_text(typed)
    menu = PermissionMenu(color=False, input=pipe, output=DummyOutput())
    return menu.ask(CALL, ACCESS, "")


@pytest.mark.parametrize(
    ("typed", "verdict"),
    [
        ("y", "allow_once"),
        ("Y", "allow_once"),
        ("1", "allow_once"),
        ("a", "allow_session"),
        ("2", "allow_session"),
        ("\r", "allow_once"),
        (DOWN + "\r", "allow_session"),
        (DOWN + DOWN + UP + "\r", "allow_session"),
        (UP + "\r\r", "deny"),
    ],
)
def test_letters_numbers_and_arrows_pick(keys: PipeInput, typed: str, verdict: str) -> None:
    assert ask(keys, typed).verdict == verdict


def test_deny_asks_what_to_tell_the_model(keys: PipeInput) -> None:
    answer = ask(keys, "nuse pytest, not npm\r")
    assert answer == PermissionAnswer("deny", "use pytest, not npm")


def test_deny_with_no_reason(keys: PipeInput) -> None:
    assert ask(keys, "3\r") == PermissionAnswer("deny", "")


def test_escape_denies(keys: PipeInput) -> None:
    assert ask(keys, ESC + "\r").verdict == "deny"


def test_ctrl_c_interrupts_the_turn(keys: PipeInput) -> None:
    with pytest.raises(KeyboardInterrupt):
        ask(keys, "\x03")


def test_the_question_names_what_the_call_touches() -> None:
    assert question_for(CALL, ACCESS) == "Run this command? npm test"
    write = ToolAccess(tool="Edit", kind="write", paths=("/w/src/app.py",))
    edit = ToolCall(id="t", name="Edit", input={"file_path": "/w/src/app.py"})
    assert question_for(edit, write) == "Allow Edit to change /w/src/app.py?"
    fetch = ToolAccess(tool="WebFetch", kind="network", domain="example.com")
    assert "example.com" in question_for(ToolCall("t", "WebFetch", {}), fetch)
