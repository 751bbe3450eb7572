"""Estimated cost of token usage, per call, per turn and per session.

An unknown model has no price: its tokens are still counted exactly, and the cost is
reported as unknown rather than guessed or shown as zero.
"""

from __future__ import annotations

import attrs

from domain.messages.content import Usage
from domain.price_table import PRICES_AS_OF, PRICES_PER_MTOK, WEB_SEARCH_PER_REQUEST
from domain.repr_base import Record

PER_MILLION = 1_000_000


@attrs.frozen(repr=False)
class ModelPrice(Record):
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float

    def cost_of(self, usage: Usage) -> float:
        total = (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_creation_input_tokens * self.cache_write
            + usage.cache_read_input_tokens * self.cache_read
        )
        return total / PER_MILLION + usage.web_search_requests * WEB_SEARCH_PER_REQUEST


def price_of(model: str) -> ModelPrice | None:
    for prefix in sorted(PRICES_PER_MTOK, key=len, reverse=True):
        if model.startswith(prefix):
            return ModelPrice(*PRICES_PER_MTOK[prefix])
    return None


def estimate_cost(model: str, usage: Usage) -> float | None:
    price = price_of(model)
    return None if price is None else price.cost_of(usage)


@attrs.frozen(repr=False)
class TurnCost(Record):
    label: str
    model: str
    usage: Usage
    cost: float | None


@attrs.define(repr=False)
class CostLedger(Record):
    """What a session has spent, turn by turn (compactions count as turns of their own)."""

    turns: list[TurnCost] = attrs.field(factory=list)

    def record(self, model: str, usage: Usage, label: str | None = None) -> TurnCost:
        turn = TurnCost(
            label or f"turn {len(self.turns) + 1}", model, usage, estimate_cost(model, usage)
        )
        self.turns.append(turn)
        return turn

    @property
    def usage(self) -> Usage:
        total = Usage()
        for turn in self.turns:
            total = total + turn.usage
        return total

    @property
    def priced_cost(self) -> float:
        """The cost of the turns whose model has a known price."""
        return sum(t.cost for t in self.turns if t.cost is not None)

    @property
    def unpriced_models(self) -> list[str]:
        return sorted({t.model for t in self.turns if t.cost is None and _counts(t.usage)})

    @property
    def cost(self) -> float | None:
        """The session's cost; None when some tokens were spent on a model with no price."""
        return None if self.unpriced_models else self.priced_cost


def format_usd(cost: float) -> str:
    return f"${cost:.4f}" if cost < 1 else f"${cost:,.2f}"


def format_usage(usage: Usage) -> str:
    searches = usage.web_search_requests
    return (
        f"input {usage.input_tokens:,} · output {usage.output_tokens:,} · "
        f"cache write {usage.cache_creation_input_tokens:,} · "
        f"cache read {usage.cache_read_input_tokens:,} tokens"
        + (f" · {searches:,} web search{'es' if searches != 1 else ''}" if searches else "")
    )


def describe_cost(ledger: CostLedger, last_turns: int = 10) -> list[str]:
    """The ``/cost`` listing: the session's tokens and cost, then the most recent turns."""
    lines = [f"Session: {format_usage(ledger.usage)}"]
    unpriced = ledger.unpriced_models
    if not unpriced:
        lines.append(
            f"Estimated cost: {format_usd(ledger.priced_cost)} (prices as of {PRICES_AS_OF})"
        )
    elif ledger.priced_cost > 0:
        lines.append(
            f"Estimated cost: {format_usd(ledger.priced_cost)} for the priced models, plus an "
            f"unknown amount: no price is known for {', '.join(unpriced)}"
        )
    else:
        lines.append(
            f"Estimated cost: unknown: no price is known for {', '.join(unpriced)} "
            "(the token counts are exact)"
        )
    shown = ledger.turns[-last_turns:] if last_turns > 0 else []
    if shown:
        skipped = len(ledger.turns) - len(shown)
        lines.append("By turn:" if not skipped else f"Last {len(shown)} turns:")
        for turn in shown:
            cost = format_usd(turn.cost) if turn.cost is not None else "price unknown"
            lines.append(f"  {turn.label} ({turn.model}): {format_usage(turn.usage)}; {cost}")
    return lines


def _counts(usage: Usage) -> bool:
    return bool(
        usage.input_tokens
        or usage.output_tokens
        or usage.cache_creation_input_tokens
        or usage.cache_read_input_tokens
        or usage.web_search_requests
    )
