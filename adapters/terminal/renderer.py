"""The REPL's view of a turn, drawn with rich: a ``TurnObserver`` for the terminal.

While a block streams, a transient ``Live`` region shows its Markdown (only the tail that
fits the screen, so the region never scrolls and nothing is drawn twice) above a spinner with
the elapsed time and token count. When the block is complete the region is erased and the
final rendering is printed once, so the scrollback holds exactly one copy of every answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    Group,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.live import Live
from rich.markdown import Markdown
from rich.segment import Segment
from rich.spinner import Spinner
from rich.text import Text

from domain.display.server_tools import server_tool_line
from domain.display.terminal_safety import printable
from domain.display.tool_display import outcome_summary, tool_label
from domain.loop.turn_state import TurnState
from domain.messages.content import (
    ConversationMessage,
    Message,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    UnknownBlock,
)
from domain.ports import Clock
from domain.stream.updates import (
    BlockFinished,
    MessageDeltaReceived,
    MessageStarted,
    StreamUpdate,
    TextDelta,
    ThinkingDelta,
    ToolUseStarted,
)
from domain.tools.calls import ToolCall, ToolOutcome

# tool_label is also the permission menu's, from here.
__all__ = ["MAX_DIFF_LINES", "TerminalRenderer", "diff_text", "tool_label"]

MAX_DIFF_LINES = 40
# A subagent's report is shown folded to its first lines.
REPORT_LINES = 3
# A token is about four characters of English or code; exact counts replace it when they arrive.
CHARS_PER_TOKEN = 4


def diff_text(diff: str, limit: int = MAX_DIFF_LINES, indent: int = 6) -> Text:
    """A unified diff, coloured by line kind and cut to ``limit`` lines."""
    out = Text()
    lines = diff.rstrip("\n").splitlines()
    for line in lines[:limit]:
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = "dim"
        out.append(" " * indent + line + "\n", style=style)
    if len(lines) > limit:
        out.append(" " * indent + f"… {len(lines) - limit} more lines\n", style="dim")
    return out


def _fmt_tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


class _Tail:
    """The last lines of a renderable that fit above the spinner.

    The spinner redraws several times a second while the text may not have changed, so the
    rendering is kept for the width it was made for.
    """

    def __init__(self, renderable: RenderableType, reserve: int) -> None:
        self.renderable = renderable
        self.reserve = reserve
        self._rendered: tuple[int, list[list[Segment]]] | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self._rendered is None or self._rendered[0] != options.max_width:
            rendered = console.render_lines(self.renderable, options.update(height=None), pad=False)
            self._rendered = (options.max_width, rendered)
        lines = self._rendered[1]
        room = max(1, (options.max_height or console.height) - self.reserve)
        for line in lines[-room:]:
            yield from line
            yield Segment.line()


class _Printable:
    """A renderable whose text reaches the terminal without control characters.

    Filtering rendered segments (not the input strings) covers every path at once: Markdown,
    tables from slash commands, labels, diffs. Styles are rich's, applied after this, and
    segments rich marks as control (cursor moves for the live region) are its own.
    """

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


class _PrintableHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Printable(r) for r in renderables]


@dataclasses.dataclass
class _Running:
    """A subagent on screen: what it is, since when, how many calls it made, the last one."""

    agent_type: str
    description: str
    started: float
    tool_uses: int = 0
    last: str = ""


class TerminalRenderer:
    def __init__(
        self,
        console: Console,
        clock: Clock,
        show_thinking: bool = False,
        workspace: str = "",
    ) -> None:
        self.console = console
        self.clock = clock
        self.show_thinking = show_thinking
        self.workspace = workspace
        self._live: Live | None = None
        self._spinner = Spinner("dots", style="cyan")
        self._activity = "Thinking"
        self._text = ""
        self._turn_started = clock.monotonic()
        # What the elapsed time counts from: the turn, or the tool now running.
        self._since = self._turn_started
        self._done_tokens = 0
        self._message_chars = 0
        self._message_tokens: int | None = None
        self._announced: set[str] = set()
        # The call whose label was printed last: a result printed under another is named.
        self._last_call: str | None = None
        self._tail: tuple[str, _Tail] | None = None
        self._subagents: dict[str, _Running] = {}
        self._subagent_lock = threading.Lock()
        # Model text, tool output and file names can hold escape sequences (a window title,
        # the clipboard); nothing printed on this console passes one through.
        console.push_render_hook(_PrintableHook())

    # The REPL's side.

    def begin_turn(self) -> None:
        with self._subagent_lock:
            # A subagent abandoned when the last turn was interrupted is not running.
            self._subagents.clear()
        self._turn_started = self._since = self.clock.monotonic()
        self._done_tokens = 0
        self._reset_message()

    @contextlib.contextmanager
    def working(self, activity: str) -> Iterator[None]:
        """A spinner with elapsed time while something other than a turn waits on the model."""
        self.begin_turn()
        self._activity = activity
        self._start()
        try:
            yield
        finally:
            self.stop()

    def stop(self) -> None:
        """Take the live region off the screen (before a prompt or a menu needs the terminal)."""
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()

    def print(self, *renderables: Any, **kwargs: Any) -> None:
        """Strings are shown as they are: brackets in paths or rules are not rich markup."""
        shown = [Text(r) if isinstance(r, str) else r for r in renderables]
        if not self.console.is_terminal:
            # Piped output is read by programs and pagers: lines are not folded for a width.
            kwargs.setdefault("soft_wrap", True)
        self.console.print(*shown, **kwargs)

    # Soft wrap: a message stays one line in the output; only the terminal folds it.
    def info(self, text: str) -> None:
        self.console.print(Text(text, style="dim"), soft_wrap=True)

    def error(self, text: str) -> None:
        self.console.print(Text(f"✗ {' '.join(text.split())}", style="red"), soft_wrap=True)

    def diff(self, diff: str, limit: int = MAX_DIFF_LINES, indent: int = 6) -> None:
        self.console.print(diff_text(diff, limit, indent), end="", soft_wrap=True)

    # TurnObserver.

    def on_state(self, state: TurnState) -> None:
        if state is TurnState.STREAMING:
            self._activity = "Thinking"
            self._since = self._turn_started
            self._start()
        elif state is TurnState.AWAITING_PERMISSION:
            self.stop()
        elif state in (TurnState.FINISHED, TurnState.FAILED, TurnState.INTERRUPTED):
            self.stop()
            self._flush_text()
            if state is TurnState.INTERRUPTED:
                self.console.print(Text("  ⎿  Interrupted: what should hexclaw do instead?", "red"))

    def on_update(self, update: StreamUpdate) -> None:
        if isinstance(update, MessageStarted):
            self._reset_message()
        elif isinstance(update, TextDelta):
            self._text += update.text
            self._message_chars += len(update.text)
            self._activity = "Writing"
        elif isinstance(update, ThinkingDelta):
            self._message_chars += len(update.thinking)
            self._activity = "Thinking"
        elif isinstance(update, ToolUseStarted):
            self._activity = f"Preparing {update.name}"
        elif isinstance(update, MessageDeltaReceived):
            self._message_tokens = update.usage.output_tokens or None
        elif isinstance(update, BlockFinished):
            self._finish_block(update)

    def on_assistant_message(self, message: Message) -> None:
        self._done_tokens += message.usage.output_tokens or self._message_chars // CHARS_PER_TOKEN
        self._reset_message()

    def on_tool_start(self, call: ToolCall) -> None:
        self.stop()
        self._announce(call)
        self._activity = f"Running {call.name}"
        self._since = self.clock.monotonic()
        self._start()

    def on_progress(self, text: str) -> None:
        """A tool's progress (an MCP server's notifications/progress): the spinner's text.
        Called from the MCP thread; the live region reads it at its next refresh."""
        self._activity = printable(text)[:120]

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None:
        self.stop()
        self._announce(call)
        if self._last_call != call.id:
            # Calls of one batch were all announced before they ran: name this one again,
            # so its result sits under its own name.
            self._print_label(call)
        style = "red" if outcome.is_error else "dim"
        self.console.print(Text(f"  ⎿  {outcome_summary(outcome)}", style=style))
        if outcome.diff:
            self.diff(outcome.diff)
        if call.name in ("Agent", "Task"):
            self._print_report(outcome)

    def on_tool_results(self, message: ConversationMessage, outcomes: list[ToolOutcome]) -> None:
        self._announced.clear()

    def on_notice(self, text: str) -> None:
        self.console.print(Text(f"  ⚠ {' '.join(text.split())}", style="yellow"), soft_wrap=True)

    def on_permission(self, call: ToolCall, verdict: str, reason: str, decided_by: str) -> None:
        # The REPL shows a denial with the call's outcome, and asked the user for the rest.
        return None

    # SubagentView (domain/subagents/ports.py): one live line per running subagent. Its
    # calls come from worker threads; the table is read by the live region's refresh.

    def subagent_started(self, parent_id: str, agent_type: str, description: str) -> None:
        with self._subagent_lock:
            self._subagents[parent_id] = _Running(agent_type, description, self.clock.monotonic())

    def subagent_message(self, parent_id: str, message: Message) -> None:
        return None

    def subagent_results(
        self, parent_id: str, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None:
        return None

    def subagent_tool(self, parent_id: str, call: ToolCall, outcome: ToolOutcome | None) -> None:
        if outcome is not None:
            return
        with self._subagent_lock:
            running = self._subagents.get(parent_id)
            if running is not None:
                running.tool_uses += 1
                running.last = tool_label(call, self.workspace)

    def subagent_question(self, asking: bool) -> None:
        # The question needs the terminal: the live region goes, and comes back after.
        if asking:
            self.stop()
        else:
            self._start()

    def subagent_finished(self, parent_id: str, outcome: ToolOutcome) -> None:
        with self._subagent_lock:
            self._subagents.pop(parent_id, None)

    def subagent_lines(self) -> list[Text]:
        """The live lines of the running subagents: type, description, tool uses, time."""
        now = self.clock.monotonic()
        with self._subagent_lock:
            running = list(self._subagents.values())
        lines: list[Text] = []
        for sub in running:
            uses = f"{sub.tool_uses} tool use{'s' if sub.tool_uses != 1 else ''}"
            line = Text("  ⎿  ", style="dim")
            line.append(f"{sub.agent_type}", style="bold")
            line.append(f"({sub.description})")
            line.append(f" · {uses} · {int(now - sub.started)}s", style="dim")
            if sub.last:
                line.append(f" · {sub.last}", style="dim")
            lines.append(line)
        return lines

    def _print_report(self, outcome: ToolOutcome) -> None:
        """A subagent's report, folded: its first lines; the model got all of it."""
        text = outcome.content if isinstance(outcome.content, str) else ""
        lines = text.strip().splitlines()
        for line in lines[:REPORT_LINES]:
            self.console.print(Text(f"      {line}", style="dim"), soft_wrap=True)
        if len(lines) > REPORT_LINES:
            more = len(lines) - REPORT_LINES
            self.console.print(
                Text(f"      … {more} more line{'s' if more != 1 else ''}", style="dim")
            )

    # Internals.

    def _announce(self, call: ToolCall) -> None:
        if call.id in self._announced:
            return
        self._announced.add(call.id)
        self._print_label(call)

    def _print_label(self, call: ToolCall) -> None:
        line = Text("● ", style="green")
        line.append(tool_label(call, self.workspace), style="bold")
        self.console.print(line)
        self._last_call = call.id

    def _reset_message(self) -> None:
        self._message_chars = 0
        self._message_tokens = None

    def _finish_block(self, update: BlockFinished) -> None:
        block = update.block
        if isinstance(block, TextBlock):
            self._text = block.text
            live = self._live is not None
            self.stop()
            self._flush_text()
            if live:
                self._start()
        elif isinstance(block, ThinkingBlock):
            self._print_thinking(block.thinking)
        elif isinstance(block, RedactedThinkingBlock):
            # Encrypted by the API: there is nothing to show, only that it happened.
            self.console.print(Text("✻ Thinking (redacted by the API)", style="dim italic"))
        elif isinstance(block, ServerToolUseBlock | UnknownBlock):
            shown = server_tool_line(block)
            if shown is not None:
                live = self._live is not None
                self.stop()
                line, is_call = shown
                if is_call:
                    self.console.print(Text.assemble(("● ", "green"), (line, "bold")))
                else:
                    self.console.print(Text(f"  ⎿  {line}", style="dim"))
                if live:
                    self._start()

    def _print_thinking(self, thinking: str) -> None:
        if not thinking.strip():
            return
        if self.show_thinking:
            self.console.print(Text("✻ Thinking", style="dim italic"))
            self.console.print(Text(thinking.strip(), style="dim italic"))
            return
        lines = len(thinking.strip().splitlines())
        self.console.print(
            Text(
                f"✻ Thought for {lines} line{'s' if lines != 1 else ''} "
                '(hidden; "showThinking": true in settings shows it)',
                style="dim italic",
            )
        )

    def _flush_text(self) -> None:
        text, self._text = self._text, ""
        if text.strip():
            self.console.print(Markdown(text))

    def _start(self) -> None:
        if self._live is not None or not self.console.is_terminal:
            return
        self._live = Live(
            console=self.console,
            get_renderable=self.live_view,
            refresh_per_second=8,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()

    def live_view(self) -> RenderableType:
        now = self.clock.monotonic()
        tokens = self._done_tokens + (
            self._message_tokens
            if self._message_tokens is not None
            else self._message_chars // CHARS_PER_TOKEN
        )
        details = [f"{int(now - self._since)}s"]
        if tokens:
            details.append(f"↓ {_fmt_tokens(tokens)} tokens")
        details.append("ctrl-c to interrupt")
        self._spinner.text = Text.assemble(
            (f"{self._activity}…", "bold"), (f" ({' · '.join(details)})", "dim")
        )
        parts: list[RenderableType] = []
        text = self._text
        if text.strip():
            if self._tail is None or self._tail[0] != text:
                self._tail = (text, _Tail(Markdown(text), reserve=2))
            parts.append(self._tail[1])
        parts.append(self._spinner)
        parts.extend(self.subagent_lines())
        # The live region is drawn by rich's own hook, after ours: it is filtered here.
        return _Printable(Group(*parts))
