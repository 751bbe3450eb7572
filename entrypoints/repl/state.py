"""What the REPL knows between turns: the loop, the session, and what the session has cost."""

from __future__ import annotations

import attrs

from adapters.terminal.renderer import TerminalRenderer
from domain.conversation.compaction_plan import estimate_context_tokens
from domain.cost import CostLedger, format_usd
from domain.loop.agent_loop import AgentLoop, TurnResult
from domain.messages.content import Usage
from domain.model_catalog import context_window
from domain.permissions.policy import PermissionPolicy
from domain.reasoning.models import thinking_support
from domain.repr_base import Record
from entrypoints.bootstrap import Run
from entrypoints.config import Config, RunOptions


def format_tokens(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M"
    if count >= 1000:
        return f"{count / 1000:.1f}k"
    return str(count)


@attrs.define(repr=False)
class ReplState(Record):
    ctx: Config
    options: RunOptions
    run: Run
    renderer: TerminalRenderer
    started: float
    ledger: CostLedger = attrs.field(factory=CostLedger)
    turn_seconds: float = 0.0
    leaving: bool = False
    terminated: bool = False
    # How many of the compactor's calls are already in the ledger.
    compactions_counted: int = 0
    # This folder's session ids for completion, and when they were read.
    session_id_cache: tuple[float, list[str]] | None = None

    @property
    def loop(self) -> AgentLoop:
        return self.run.loop

    @property
    def policy(self) -> PermissionPolicy:
        return self.run.policy

    @property
    def session_id(self) -> str:
        return self.loop.session_id

    @property
    def model(self) -> str:
        return self.loop.settings.model

    @property
    def permission_mode(self) -> str:
        return self.run.policy.mode

    def context_used(self) -> tuple[int, int]:
        """Tokens the next request's prompt will take (as the API last measured it, plus an
        estimate of what it has not seen), and the model's window."""
        if not self.loop.conversation.messages:
            return 0, context_window(self.model)
        used = estimate_context_tokens(
            self.loop.conversation, self.loop.settings.system, self.loop.tools.definitions()
        )
        return used, context_window(self.model)

    def record_turn(self, result: TurnResult, seconds: float) -> None:
        self.turn_seconds += seconds
        self.count_compactions()
        own = Usage()
        for usage in result.call_usages:
            own = own + usage
        turn = self.ledger.record(self.model, own)
        # Subagents are priced at their own models; /cost lists them under the turn.
        for model, usage in result.subagent_usages:
            self.ledger.record(model, usage, label=f"{turn.label} subagent")

    def count_compactions(self) -> None:
        """Compaction calls (automatic, in a turn, or /compact) are turns of their own in /cost."""
        if self.loop.compactor is None:
            return
        usages = self.loop.compactor.usages
        for usage in usages[self.compactions_counted :]:
            self.ledger.record(self.model, usage, label="compaction")
        self.compactions_counted = len(usages)

    def cost_text(self) -> str:
        """The session's estimated cost; ``+?`` when some model in it has no known price."""
        text = format_usd(self.ledger.priced_cost)
        return f"{text}+?" if self.ledger.unpriced_models else text

    def toolbar(self) -> str:
        used, window = self.context_used()
        percent = 100 * used / window if window else 0
        return (
            f" {self.model} · {self.permission_mode}{self.thinking_text()} · context "
            f"{format_tokens(used)}/{format_tokens(window)} ({percent:.0f}%) · {self.cost_text()} "
        )

    def thinking_text(self) -> str:
        """`` · thinking on`` or ``off`` where the model thinks at all (Tab switches it)."""
        controls = self.run.reasoning
        if controls is None or not thinking_support(self.model).thinks:
            return ""
        on = controls.thinks(self.model, self.loop.settings.max_tokens)
        return f" · thinking {'on' if on else 'off'}"

    def toggle_thinking(self) -> None:
        """Tab at the prompt: thinking on or off for the following prompts."""
        if self.run.reasoning is not None:
            self.run.reasoning.toggle()
