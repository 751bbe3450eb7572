"""The permission question as a small inline menu (prompt_toolkit): a ``PermissionPrompt``.

Arrow keys move and Enter picks; ``y``, ``a``, ``n`` (or 1, 2, 3) pick at once. Esc denies.
When the policy would not remember an "allow for the session" answer (a write into ``.git/``,
an ask rule), only ``y`` and ``n`` (1, 2) are offered, with a line saying why.
Ctrl-C raises ``KeyboardInterrupt`` so the whole turn stops, as it does everywhere else.

What is asked about is shown whole and wrapped, never cut: the command (or the paths, or the
host) with every hidden character named and marked (``domain.display.terminal_safety.revealed``), so
what the user approves is what would run.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import attrs
from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.shortcuts import PromptSession

from domain.display.terminal_safety import revealed, revealed_text
from domain.repr_base import Record
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall


@attrs.frozen(repr=False)
class _Choice(Record):
    key: str
    label: str
    verdict: str


CHOICES = (
    _Choice("y", "Yes", "allow_once"),
    _Choice("a", "Yes, and don't ask again for {what} in this session", "allow_session"),
    _Choice("n", "No, and tell the model why", "deny"),
)
MARKED_STYLE = "reverse bold"
ONCE_ONLY_CHOICES = tuple(choice for choice in CHOICES if choice.verdict != "allow_session")


def choices_for(decision: Decision) -> tuple[_Choice, ...]:
    """The answers offered: never one the policy would not keep."""
    return CHOICES if decision.session_allow else ONCE_ONLY_CHOICES


def session_scope(access: ToolAccess) -> str:
    """What an "allow for this session" answer covers; the policy keeps it that narrow."""
    if access.kind == "execute":
        return "this command"
    if access.kind == "network" and access.domain:
        return access.domain
    if access.kind in ("read", "write") and access.paths:
        return "this file" if len(access.paths) == 1 else "these files"
    return access.tool


def question_for(call: ToolCall, access: ToolAccess) -> str:
    """The question as plain text (hidden characters named, nothing cut)."""
    return "".join(run[1] for run in question_runs(call, access))


def question_runs(call: ToolCall, access: ToolAccess) -> StyleAndTextTuples:
    """The question, styled: what it is about shown whole, hidden characters marked."""
    if access.kind == "execute":
        return [("", "Run this command?\n    "), *_revealed(access.command or "", "    ")]
    if access.kind in ("write", "read") and access.paths:
        verb = "change" if access.kind == "write" else "read"
        runs: StyleAndTextTuples = [("", f"Allow {call.name} to {verb} ")]
        for index, path in enumerate(access.paths):
            runs += [("", ", ")] if index else []
            runs += _revealed(path, "    ")
        return [*runs, ("", "?")]
    if access.kind == "write":
        return [("", f"Allow {call.name} to change files?")]
    if access.kind == "read":
        return [("", f"Allow {call.name} to read files?")]
    if access.kind == "mcp" and call.name.startswith("mcp__"):
        server, _, tool = call.name.removeprefix("mcp__").partition("__")
        shown = json.dumps(call.input, ensure_ascii=False, indent=2)
        return [
            ("", f"Allow the MCP server {server} to run {tool or call.name} with\n    "),
            *_revealed(shown, "    "),
            ("", "?"),
        ]
    if access.kind == "network":
        return [
            ("", f"Allow {call.name} to reach "),
            *_revealed(access.domain or "", ""),
            ("", "?"),
        ]
    return [("", f"Allow {call.name}?")]


def _revealed(text: str, indent: str) -> StyleAndTextTuples:
    runs: StyleAndTextTuples = []
    for run, marked in revealed(text):
        if marked:
            runs.append((MARKED_STYLE, run))
        else:
            runs.append(("", run.replace("\n", "\n" + indent)))
    return runs


class PermissionMenu:
    def __init__(
        self,
        workspace: str = "",
        color: bool = True,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self._color_depth = None if color else ColorDepth.DEPTH_1_BIT
        self._input = input
        self._output = output
        self._workspace = workspace

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        choice = self._choose(call, access, decision)
        if choice.verdict == "allow_once":
            return PermissionAnswer("allow_once")
        if choice.verdict == "allow_session":
            return PermissionAnswer("allow_session")
        return PermissionAnswer("deny", self._why())

    def _choose(self, call: ToolCall, access: ToolAccess, decision: Decision) -> _Choice:
        choices = choices_for(decision)
        selected = [0]
        bindings = KeyBindings()

        @bindings.add("up")
        @bindings.add("c-p")
        @bindings.add("k")
        def _up(event: KeyPressEvent) -> None:
            selected[0] = (selected[0] - 1) % len(choices)

        @bindings.add("down")
        @bindings.add("c-n")
        @bindings.add("j")
        @bindings.add("tab")
        def _down(event: KeyPressEvent) -> None:
            selected[0] = (selected[0] + 1) % len(choices)

        @bindings.add("enter")
        def _pick(event: KeyPressEvent) -> None:
            event.app.exit(result=choices[selected[0]])

        for number, choice in enumerate(choices, start=1):
            for key in (choice.key, choice.key.upper(), str(number)):
                bindings.add(key)(_picker(choice))

        @bindings.add("escape", eager=True)
        def _deny(event: KeyPressEvent) -> None:
            event.app.exit(result=choices[-1])

        @bindings.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            event.app.exit(exception=KeyboardInterrupt())

        def text() -> StyleAndTextTuples:
            lines: StyleAndTextTuples = [
                ("bold", f"● {call.name}\n"),
                ("", "  "),
                *question_runs(call, access),
                ("", "\n"),
            ]
            if decision.reason:
                lines.append(("italic", f"  ({revealed_text(decision.reason)})\n"))
            if not decision.session_allow:
                lines.append(("italic", f"  ({_no_session_line(decision)})\n"))
            for index, choice in enumerate(choices):
                mark = "❯" if index == selected[0] else " "
                style = "reverse" if index == selected[0] else ""
                label = choice.label.format(what=session_scope(access))
                lines.append((style, f"  {mark} {index + 1}. {label}"))
                lines.append(("", f"  ({choice.key})\n"))
            keys = " / ".join(choice.key for choice in choices)
            lines.append(("italic", f"  ↑/↓ and Enter, or {keys}; Esc denies"))
            return lines

        app: Application[_Choice] = Application(
            layout=Layout(
                HSplit(
                    [Window(FormattedTextControl(text), dont_extend_height=True, wrap_lines=True)]
                )
            ),
            key_bindings=bindings,
            full_screen=False,
            erase_when_done=True,
            color_depth=self._color_depth,
            input=self._input,
            output=self._output,
        )
        return app.run()

    def _why(self) -> str:
        session: PromptSession[str] = PromptSession(
            input=self._input, output=self._output, color_depth=self._color_depth
        )
        try:
            return session.prompt("  Tell the model why (Enter to skip): ").strip()
        except EOFError:
            return ""


def _no_session_line(decision: Decision) -> str:
    why = decision.every_time or "this call is asked about every time"
    return f'{why}, so there is no "don\'t ask again"'


def _picker(choice: _Choice) -> Callable[[KeyPressEvent], None]:
    def pick(event: KeyPressEvent) -> None:
        event.app.exit(result=choice)

    return pick
