"""Headless mode's errors: each becomes one line (and, in stream-json, a result) at the entry."""

from __future__ import annotations

from domain.errors import HexclawError
from domain.messages.api_errors import ApiError


class HeadlessError(HexclawError):
    """A problem with headless input or options."""

    exit_code = 2


class SessionInterrupted(HexclawError):
    """A stream-json session ended by SIGINT or SIGTERM from outside (not a client's
    ``interrupt``, which ends only the turn)."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__("interrupted")


class InvalidInputLine(HeadlessError):
    """A line of ``--input-format stream-json`` that is not a message hexclaw understands."""

    def __init__(self, line_number: int, why: str) -> None:
        super().__init__(f"stdin line {line_number}: {why}")
        self.line_number = line_number


class InvalidJsonSchema(HeadlessError):
    """``--json-schema`` is neither a readable file nor a JSON Schema."""


class BudgetExceeded(ApiError):
    """The next model call would take the run past ``--max-budget-usd``.

    An ``ApiError`` so the loop settles the turn as it does for a refused call: nothing is
    sent, and the conversation stays one the API accepts.
    """

    def __init__(self, budget: float, spent: float, estimate: float) -> None:
        super().__init__(
            f"stopped before a model call estimated at ${estimate:.4f}: with ${spent:.4f} "
            f"spent it would pass the budget of ${budget:.4f} (--max-budget-usd)"
        )
        self.budget = budget
        self.spent = spent
        self.estimate = estimate


class UnpricedModel(ApiError):
    """A budget can only be kept for a model whose price is known."""

    exit_code = 2

    def __init__(self, model: str) -> None:
        super().__init__(
            f"--max-budget-usd needs a known price, and there is none for the model {model!r}"
        )


class StructuredOutputFailed(HexclawError):
    """The model's answer did not validate against ``--json-schema``, retry included."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the answer does not match --json-schema: {detail}")
