"""``--max-budget-usd``: a model client that refuses a call it expects to take the run past
the budget, before sending it.

The estimate for a call is its prompt (the request's characters over the same
characters-per-token ratio compaction uses, so cached prefixes count at the full input price:
the estimate errs high) plus as many output tokens as the previous call produced (none for the
first). What calls actually cost is added from their reported usage and the price table.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from domain.conversation.compaction_plan import CHARS_PER_TOKEN
from domain.cost import ModelPrice, price_of
from domain.headless.errors import BudgetExceeded, UnpricedModel
from domain.messages.content import Message, Usage
from domain.messages.request import MessageRequest
from domain.messages.wire import conversation_message_to_wire
from domain.stream.ports import ModelClient, UpdateSink


def request_tokens(request: MessageRequest) -> int:
    """How many input tokens the request will count, estimated from its size."""
    parts = [
        [conversation_message_to_wire(m) for m in request.messages],
        request.system,
        request.tools,
    ]
    chars = sum(len(json.dumps(part, ensure_ascii=False)) for part in parts)
    return -(-chars // CHARS_PER_TOKEN)


def check_priced(model: str) -> ModelPrice:
    """A budget can only be kept for a model whose price is known."""
    price = price_of(model)
    if price is None:
        raise UnpricedModel(model)
    return price


class BudgetedClient:
    """Implements ``ModelClient``: the inner client, within a budget in USD."""

    def __init__(
        self, inner: ModelClient, budget: float, priced: Callable[[str], ModelPrice] = check_priced
    ) -> None:
        self.inner = inner
        self.budget = budget
        self.spent = 0.0
        self._priced = priced
        self._last_output = 0

    def estimate(self, request: MessageRequest) -> float:
        usage = Usage(input_tokens=request_tokens(request), output_tokens=self._last_output)
        return self._priced(request.model).cost_of(usage)

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        estimate = self.estimate(request)
        if self.spent + estimate > self.budget:
            raise BudgetExceeded(self.budget, self.spent, estimate)
        message = self.inner.stream_message(request, on_update)
        self.spent += self._priced(message.model or request.model).cost_of(message.usage)
        self._last_output = message.usage.output_tokens
        return message
