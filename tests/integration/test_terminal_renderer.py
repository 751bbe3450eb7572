"""The terminal renderer against a real rich Console writing to a string."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from adapters.terminal.renderer import TerminalRenderer, diff_text
from domain.display.tool_display import outcome_summary, tool_label
from domain.loop.turn_state import TurnState
from domain.messages.content import Message, TextBlock, ThinkingBlock, Usage
from domain.stream.updates import (
    BlockFinished,
    MessageDeltaReceived,
    MessageStarted,
    TextDelta,
    ThinkingDelta,
)
from domain.tools.calls import ToolCall, ToolOutcome


class StepClock:
    def __init__(self) -> None:
        self.t = 100.0

    def now(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.t


def make(
    terminal: bool = False, show_thinking: bool = False
) -> tuple[TerminalRenderer, io.StringIO]:
    out = io.StringIO()
    console = Console(
        file=out, width=80, height=20, force_terminal=terminal, no_color=True, highlight=False
    )
    return TerminalRenderer(console, StepClock(), show_thinking, "/work/app"), out


def stream_text(renderer: TerminalRenderer, text: str, index: int = 0) -> None:
    for i in range(0, len(text), 7):
        renderer.on_update(TextDelta(index, text[i : i + 7]))
    renderer.on_update(BlockFinished(index, TextBlock(text=text)))


def test_an_answer_is_printed_once_as_rendered_markdown() -> None:
    renderer, out = make()
    renderer.begin_turn()
    renderer.on_state(TurnState.STREAMING)
    renderer.on_update(MessageStarted("msg_1", "claude-sonnet-4-5"))
    stream_text(renderer, "## Steps\n\n1. build\n2. test\n\n```sh\nmake test\n```\n")
    renderer.on_assistant_message(Message(content=[TextBlock(text="...")]))
    renderer.on_state(TurnState.FINISHED)
    text = out.getvalue()
    assert text.count("make test") == 1
    assert "```" not in text
    assert "##" not in text
    assert re.search(r"^\s*1\.? build", text, re.MULTILINE)


def test_an_interrupted_stream_keeps_what_arrived_and_says_so() -> None:
    renderer, out = make()
    renderer.on_state(TurnState.STREAMING)
    renderer.on_update(TextDelta(0, "The first half of an answ"))
    renderer.on_state(TurnState.INTERRUPTED)
    text = out.getvalue()
    assert "The first half of an answ" in text
    assert "Interrupted" in text


def test_a_failed_turn_keeps_the_partial_answer() -> None:
    renderer, out = make()
    renderer.on_state(TurnState.STREAMING)
    renderer.on_update(TextDelta(0, "partial words"))
    renderer.on_state(TurnState.FAILED)
    assert out.getvalue().count("partial words") == 1


def test_tool_calls_are_one_line_with_a_summary_and_a_coloured_diff() -> None:
    renderer, out = make()
    bash = ToolCall("t1", "Bash", {"command": "npm test", "description": "run tests"})
    renderer.on_tool_start(bash)
    renderer.on_tool_end(bash, ToolOutcome("ok", summary="exit 0 · 12 lines"))
    edit = ToolCall("t2", "Edit", {"file_path": "/work/app/src/app.py"})
    renderer.on_tool_start(edit)
    diff = "--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-old\n+new\n"
    renderer.on_tool_end(edit, ToolOutcome("done", summary="1 line changed", diff=diff))
    lines = out.getvalue().splitlines()
    assert lines[0] == "● Bash(npm test)"
    assert lines[1] == "  ⎿  exit 0 · 12 lines"
    assert lines[2] == "● Edit(src/app.py)"
    assert lines[3] == "  ⎿  1 line changed"
    assert [line.strip() for line in lines[4:9]] == [
        "--- a/src/app.py",
        "+++ b/src/app.py",
        "@@ -1 +1 @@",
        "-old",
        "+new",
    ]


def test_a_denied_call_is_announced_once_with_its_outcome() -> None:
    renderer, out = make()
    call = ToolCall("t1", "Write", {"file_path": "/etc/passwd", "content": "x"})
    renderer.on_tool_end(call, ToolOutcome("Permission denied", is_error=True, summary="denied"))
    assert out.getvalue().splitlines() == ["● Write(/etc/passwd)", "  ⎿  denied"]


def test_diff_colours_by_line_kind() -> None:
    styled = diff_text("@@ -1 +1 @@\n-old\n+new\n same\n")
    styles = {span.style for span in styled.spans}
    assert {"cyan", "red", "green", "dim"} <= {str(s) for s in styles}


def test_long_diffs_are_cut_with_a_count() -> None:
    diff = "".join(f"+line {i}\n" for i in range(100))
    assert "… 60 more lines" in diff_text(diff, limit=40).plain


def test_thinking_is_folded_unless_the_setting_shows_it() -> None:
    thinking = "First, read the file.\nThen, change it.\n"
    folded, out = make()
    folded.on_update(ThinkingDelta(0, thinking))
    folded.on_update(BlockFinished(0, ThinkingBlock(thinking=thinking, signature="s")))
    assert "read the file" not in out.getvalue()
    assert "Thought for 2 lines" in out.getvalue()
    shown, out = make(show_thinking=True)
    shown.on_update(BlockFinished(0, ThinkingBlock(thinking=thinking, signature="s")))
    assert "First, read the file." in out.getvalue()
    assert "Then, change it." in out.getvalue()


def test_notices_and_errors_are_single_lines() -> None:
    renderer, out = make()
    renderer.on_notice("The answer hit the output limit.")
    renderer.error("the API said:\n  overloaded")
    assert out.getvalue().splitlines() == [
        "  ⚠ The answer hit the output limit.",
        "✗ the API said: overloaded",
    ]


def test_the_live_view_shows_elapsed_time_tokens_and_the_streaming_tail() -> None:
    renderer, _ = make(terminal=True)
    clock = renderer.clock
    assert isinstance(clock, StepClock)
    renderer.begin_turn()
    renderer.on_update(MessageStarted("m", "claude-sonnet-4-5"))
    streamed = "\n".join(f"line {i}" for i in range(60))
    renderer.on_update(TextDelta(0, streamed))
    clock.t += 7
    lines = renderer.console.render_lines(renderer.live_view(), renderer.console.options, pad=False)
    texts = ["".join(segment.text for segment in line).rstrip() for line in lines]
    assert "line 59" in texts[-2]
    assert "line 0" not in texts
    assert len(texts) <= renderer.console.height
    # Until the API reports tokens, about four characters count as one.
    estimate = len(streamed) // 4
    assert texts[-1].endswith(f"Writing… (7s · ↓ {estimate} tokens · ctrl-c to interrupt)")
    renderer.on_update(MessageDeltaReceived("end_turn", Usage(output_tokens=250)))
    last = renderer.console.render_lines(renderer.live_view(), renderer.console.options, pad=False)[
        -1
    ]
    assert "↓ 250 tokens" in "".join(segment.text for segment in last)


@pytest.mark.parametrize(
    ("call", "label"),
    [
        (ToolCall("t", "Bash", {"command": "npm test"}), "Bash(npm test)"),
        (ToolCall("t", "Read", {"file_path": "/work/app/README.md"}), "Read(README.md)"),
        (ToolCall("t", "Read", {"file_path": "/elsewhere/x.md"}), "Read(/elsewhere/x.md)"),
        (ToolCall("t", "Grep", {"pattern": "TODO", "path": "src"}), "Grep(TODO)"),
        (ToolCall("t", "Bash", {"command": "cd x &&\nmake"}), "Bash(cd x && …)"),
        (ToolCall("t", "TodoWrite", {"todos": []}), "TodoWrite"),
        (ToolCall("t", "Mystery", {"n": 1, "what": "thing"}), "Mystery(thing)"),
    ],
)
def test_tool_labels(call: ToolCall, label: str) -> None:
    assert tool_label(call, "/work/app") == label


def test_very_long_labels_are_cut() -> None:
    label = tool_label(ToolCall("t", "Bash", {"command": "x" * 300}))
    assert len(label) < 100
    assert label.endswith("…)")


@pytest.mark.parametrize(
    ("outcome", "summary"),
    [
        (ToolOutcome("a\nb\nc"), "3 lines of output"),
        (ToolOutcome(""), "done (no output)"),
        (ToolOutcome("boom: no such file\nmore", is_error=True), "boom: no such file"),
        (ToolOutcome("ignored", summary="exit 2"), "exit 2"),
    ],
)
def test_outcome_summaries(outcome: ToolOutcome, summary: str) -> None:
    assert outcome_summary(outcome) == summary


TITLE = "\x1b]2;PWNED-TITLE\x1b\\"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
EIGHT_BIT_CSI = "\x9b2J"


def coloured() -> tuple[TerminalRenderer, io.StringIO]:
    """A renderer on a colour terminal: rich's own SGR escapes must still get through."""
    out = io.StringIO()
    console = Console(file=out, width=100, height=30, force_terminal=True, color_system="standard")
    return TerminalRenderer(console, StepClock(), True, "/work/app"), out


def assert_no_foreign_escapes(shown: str) -> None:
    assert "\x1b]" not in shown  # no OSC: window title, clipboard, hyperlinks
    assert "\x07" not in shown
    assert "\x9b" not in shown
    assert "\x9d" not in shown
    # Whatever ESC remains starts one of rich's colour sequences, nothing else.
    assert re.findall(r"\x1b[^\[]", shown) == []


def test_escape_sequences_from_the_model_and_tools_never_reach_the_terminal() -> None:
    renderer, out = coloured()
    renderer.on_state(TurnState.STREAMING)
    stream_text(renderer, f"Hello {TITLE}world {CLIPBOARD}and {EIGHT_BIT_CSI}more\n")
    thinking = f"plan {TITLE}quietly"
    renderer.on_update(BlockFinished(1, ThinkingBlock(thinking=thinking, signature="s")))
    call = ToolCall("t1", "Bash", {"command": f"echo {TITLE}"})
    renderer.on_tool_start(call)
    diff = f"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new {CLIPBOARD}\n"
    renderer.on_tool_end(call, ToolOutcome("x", summary=f"exit 0 {TITLE}", diff=diff))
    renderer.on_notice(f"careful {CLIPBOARD}")
    renderer.error(f"failed {TITLE}")
    renderer.info(f"note {EIGHT_BIT_CSI}")
    renderer.print(f"plain {TITLE}")
    renderer.on_state(TurnState.FINISHED)
    shown = out.getvalue()
    assert_no_foreign_escapes(shown)
    assert "\x1b[" in shown  # colour is still on
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    # What is left of a sequence shows as text, so an attempt is visible rather than hidden.
    assert "Hello ]2;PWNED-TITLE\\world" in plain
    # A tool call names what it hides: the label is what the user judges the call by.
    assert "● Bash(echo ⟨ESC⟩]2;PWNED-TITLE⟨ESC⟩\\)" in plain
    assert "exit 0 ]2;PWNED-TITLE\\" in plain
    assert "+new ]52;c;cm0gLXJmIH4=" in plain
    assert "plan ]2;PWNED-TITLE\\quietly" in plain
    assert "failed ]2;PWNED-TITLE\\" in plain


def test_the_live_region_filters_escapes_while_the_answer_streams() -> None:
    renderer, _ = coloured()
    renderer.begin_turn()
    renderer.on_update(MessageStarted("m", "claude-sonnet-4-5"))
    renderer.on_update(TextDelta(0, f"streaming {TITLE}text {CLIPBOARD}"))
    lines = renderer.console.render_lines(renderer.live_view(), renderer.console.options, pad=False)
    texts = ["".join(segment.text for segment in line) for line in lines]
    assert any("streaming ]2;PWNED-TITLE\\text ]52;c;" in text for text in texts)
    assert not any("\x1b" in text or "\x07" in text for text in texts)
