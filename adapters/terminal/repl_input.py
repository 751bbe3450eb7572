"""Reading the REPL's input: a prompt_toolkit prompt on a terminal, plain lines otherwise.

The prompt keeps a history file (Up, Ctrl-R), takes several lines (Esc then Enter,
a trailing backslash, or a paste, which arrives whole), completes slash commands, their
arguments and ``@`` paths, and shows a bottom toolbar that the REPL supplies.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

import attrs
from prompt_toolkit import search
from prompt_toolkit.application.current import get_app
from prompt_toolkit.completion import CompleteEvent, Completer
from prompt_toolkit.completion import Completion as ToolkitCompletion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition, is_searching
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.shortcuts import PromptSession

from adapters.files.mention_files import folder_entries
from domain.commands.parser import (
    ArgumentKind,
    CommandSpec,
    Completion,
    complete_command_line,
    mention_at_cursor,
    mention_folder,
    path_completions,
)
from domain.repr_base import Record

ArgumentValues = Callable[[ArgumentKind], Sequence[str]]


@attrs.frozen(repr=False)
class Line(Record):
    text: str


@attrs.frozen(repr=False)
class Interrupt(Record):
    """Ctrl-C at an empty prompt."""


@attrs.frozen(repr=False)
class EndOfInput(Record):
    """Ctrl-D at an empty prompt, or the end of piped input."""


InputEvent = Line | Interrupt | EndOfInput


class ReplCompleter(Completer):
    def __init__(
        self, specs: Sequence[CommandSpec], values: ArgumentValues, workspace: Path
    ) -> None:
        self._specs = specs
        self._values = values
        self._workspace = workspace

    def candidates(self, text_before_cursor: str) -> list[Completion]:
        partial = mention_at_cursor(text_before_cursor)
        if partial is not None:
            entries = folder_entries(self._workspace, mention_folder(partial))
            return path_completions(partial, entries)
        return complete_command_line(text_before_cursor, self._specs, self._values)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[ToolkitCompletion]:
        for candidate in self.candidates(document.text_before_cursor):
            yield ToolkitCompletion(
                candidate.text,
                start_position=candidate.start,
                display=candidate.display or None,
                display_meta=candidate.meta or None,
            )


# What Esc Esc at an empty prompt sends: the turn list of /rewind.
REWIND_SHORTCUT = "/rewind"


def _key_bindings(
    completer: Completer | None = None, on_tab: Callable[[], None] | None = None
) -> KeyBindings:
    bindings = KeyBindings()

    if on_tab is not None:
        toggle = on_tab

        def nothing_to_complete() -> bool:
            app = get_app()
            if app.current_buffer.complete_state is not None:
                return False
            if completer is None:
                return True
            event = CompleteEvent(completion_requested=True)
            document = app.current_buffer.document
            return next(iter(completer.get_completions(document, event)), None) is None

        # Tab completes where there is something to complete (a command, an @path);
        # anywhere else it turns thinking on or off, as in Claude Code.
        @bindings.add("tab", filter=~is_searching & Condition(nothing_to_complete))
        def _toggle_thinking(event: KeyPressEvent) -> None:
            toggle()
            event.app.invalidate()

    @bindings.add("enter", filter=is_searching)
    def _send_found(event: KeyPressEvent) -> None:
        # As in readline: Enter on a history search sends what was found.
        search.accept_search()
        event.app.current_buffer.validate_and_handle()

    @bindings.add("enter", filter=~is_searching)
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if (
            buffer.document.text_before_cursor.endswith("\\")
            and buffer.document.is_cursor_at_the_end
        ):
            buffer.delete_before_cursor(1)
            buffer.insert_text("\n")
            return
        buffer.validate_and_handle()

    # Not Ctrl-J: Enter typed ahead while a turn runs reaches us as "\n", and must still send.
    @bindings.add("escape", "enter", filter=~is_searching)
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    # Claude Code's shortcut: Esc Esc on an empty prompt opens the rewind list; with text typed
    # it clears the line instead (so a stray double Esc never loses a half-written prompt to a
    # command).
    @bindings.add("escape", "escape", filter=~is_searching)
    def _rewind_or_clear(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.text:
            buffer.reset()
            return
        buffer.text = REWIND_SHORTCUT
        buffer.validate_and_handle()

    @bindings.add("c-c", filter=~is_searching)
    def _clear_or_interrupt(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.text:
            buffer.reset()
            return
        event.app.exit(exception=_CtrlCAtEmptyPrompt())

    return bindings


class _CtrlCAtEmptyPrompt(Exception):
    """The key, as opposed to a ``KeyboardInterrupt`` a signal raises, which passes through."""


class ReplInput:
    def __init__(
        self,
        history_path: Path | None,
        completer: Completer,
        toolbar: Callable[[], str],
        color: bool = True,
        input: Input | None = None,
        output: Output | None = None,
        on_tab: Callable[[], None] | None = None,
    ) -> None:
        history: History = InMemoryHistory()
        if history_path is not None:
            with contextlib.suppress(OSError):
                history_path.parent.mkdir(parents=True, exist_ok=True)
                history = FileHistory(str(history_path))
        self._session: PromptSession[str] = PromptSession(
            history=history,
            completer=completer,
            complete_while_typing=True,
            key_bindings=_key_bindings(completer, on_tab),
            bottom_toolbar=toolbar,
            prompt_continuation=lambda width, line, wrap: "… ".rjust(width),
            color_depth=None if color else ColorDepth.DEPTH_1_BIT,
            reserve_space_for_menu=6,
            input=input,
            output=output,
        )

    def read(self, prompt: str = "> ") -> InputEvent:
        try:
            return Line(self._session.prompt(prompt))
        except _CtrlCAtEmptyPrompt:
            return Interrupt()
        except EOFError:
            return EndOfInput()


class PlainInput:
    """Lines from a pipe or file: a trailing backslash continues the message on the next line."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def read(self, prompt: str = "> ") -> InputEvent:
        parts: list[str] = []
        while True:
            raw = self._stream.readline()
            if not raw:
                return Line("\n".join(parts)) if parts else EndOfInput()
            line = raw.rstrip("\r\n")
            if line.endswith("\\"):
                parts.append(line[:-1])
                continue
            parts.append(line)
            return Line("\n".join(parts))


# A second Ctrl-C this soon after the first is the same impatience, not a new request.
INTERRUPT_DEBOUNCE_SECONDS = 1.0


@contextlib.contextmanager
def interrupts_once() -> Iterator[None]:
    """Ctrl-C raises ``KeyboardInterrupt`` once; repeats in quick succession are swallowed so
    they cannot land in the middle of the clean-up the first one started."""
    last = [0.0]

    def handler(signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if last[0] and now - last[0] < INTERRUPT_DEBOUNCE_SECONDS:
            return
        last[0] = now
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: leave Python's default in place
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def while_busy() -> Iterator[None]:
    """While hexclaw works (a turn, a compaction): keys wait unechoed for the next prompt, and
    Ctrl-C interrupts once."""
    with keys_not_echoed(), interrupts_once():
        yield


@contextlib.contextmanager
def keys_not_echoed(stream: TextIO | None = None) -> Iterator[None]:
    """While a turn runs, keys typed ahead are kept for the next prompt but not echoed
    into the rendering; Ctrl-C still raises ``KeyboardInterrupt``."""
    stream = stream or sys.stdin
    try:
        import termios

        fd = stream.fileno()
        if not os.isatty(fd):
            raise OSError
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError):
        yield
        return
    quiet = list(saved)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    try:
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        yield
    finally:
        with contextlib.suppress(OSError, termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, saved)
