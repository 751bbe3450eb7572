"""The REPL's input adapter: prompt_toolkit driven through a pipe, real files for @paths."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from adapters.files.mention_files import MAX_ATTACHMENT_BYTES, read_attachments
from adapters.terminal.repl_input import (
    EndOfInput,
    Interrupt,
    Line,
    PlainInput,
    ReplCompleter,
    ReplInput,
)
from domain.commands.parser import CommandSpec

SPECS = (CommandSpec("model", "change the model", "model", "[name]"), CommandSpec("memory", "m"))


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


def models_only(kind: str) -> list[str]:
    return ["claude-opus-4-5"] if kind == "model" else []


def reader(pipe: PipeInput, history: Path | None = None, workspace: Path = Path()) -> ReplInput:
    completer = ReplCompleter(SPECS, models_only, workspace)
    return ReplInput(history, completer, lambda: "toolbar", False, pipe, DummyOutput())


def test_enter_sends_and_a_trailing_backslash_or_esc_enter_continues(keys: PipeInput) -> None:
    keys.send_text("one \\\rtwo\x1b\rthree\r")
    assert reader(keys).read() == Line("one \ntwo\nthree")


def test_ctrl_c_clears_a_line_then_interrupts_at_an_empty_prompt(keys: PipeInput) -> None:
    keys.send_text("draft\x03\x03")
    assert reader(keys).read() == Interrupt()


def test_ctrl_d_at_an_empty_prompt_ends_input(keys: PipeInput) -> None:
    keys.send_text("\x04")
    assert reader(keys).read() == EndOfInput()


def test_history_is_kept_in_a_file_and_recalled_with_up(keys: PipeInput, tmp_path: Path) -> None:
    history = tmp_path / "config" / "history"
    keys.send_text("first thing\r")
    assert reader(keys, history).read() == Line("first thing")
    assert "first thing" in history.read_text()
    keys.send_text("\x1b[A\r")
    assert reader(keys, history).read() == Line("first thing")


def test_commands_arguments_and_paths_complete(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    (tmp_path / "setup.cfg").write_text("")
    completer = ReplCompleter(SPECS, models_only, tmp_path)

    def complete(text: str) -> list[str]:
        found = completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
        return [c.text for c in found]

    assert complete("/m") == ["/model", "/memory"]
    assert complete("/model claude-o") == ["claude-opus-4-5"]
    assert complete("look at @s") == ["setup.cfg", "src/"]
    assert complete("look at @src/a") == ["src/app.py"]
    assert complete("look at @missing/x") == []


def test_mentioned_files_and_folders_are_attached(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Notes\nbuy milk\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("")
    (tmp_path / "docs" / "img").mkdir()
    attachments, notes = read_attachments(
        tmp_path, "see @notes.md and @docs, not @nothing", lambda _p, _f: None
    )
    assert [(a.path, a.text) for a in attachments] == [
        ("notes.md", "# Notes\nbuy milk\n"),
        ("docs", "a.md\nimg/"),
    ]
    assert notes == []


def test_binary_and_huge_files_are_not_attached_and_say_why(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\xff\xfe\x00\x81")
    (tmp_path / "big.log").write_text("x" * (MAX_ATTACHMENT_BYTES + 1))
    attachments, notes = read_attachments(tmp_path, "@blob.bin @big.log", lambda _p, _f: None)
    assert attachments == []
    assert notes[0] == "@blob.bin is not UTF-8 text; not attached"
    assert notes[1].startswith("@big.log is 256 KiB, over the 256 KiB attachment limit")


def test_piped_lines_continue_after_a_backslash() -> None:
    piped = PlainInput(io.StringIO("one\\\ntwo\nthree\n"))
    assert piped.read() == Line("one\ntwo")
    assert piped.read() == Line("three")
    assert piped.read() == EndOfInput()
