"""The budget and fallback model clients and the structured answer, over the scripted model."""

from __future__ import annotations

from typing import Any

import pytest

from domain.headless.budget import BudgetedClient, check_priced, request_tokens
from domain.headless.errors import BudgetExceeded, UnpricedModel
from domain.headless.fallback import FallbackClient
from domain.headless.structured_output import MAX_ATTEMPTS, StructuredAnswer, tool_definition
from domain.messages.api_errors import ApiStatusError
from domain.messages.content import ConversationMessage, TextBlock
from domain.messages.request import MessageRequest
from domain.stream.errors import StreamError
from domain.stream.updates import StreamUpdate
from tests.fakes.scripted_model import ScriptedModelClient
from tests.fakes.sse_script import message_start, text_message_events


def request(text: str = "hi", model: str = "claude-sonnet-4-5") -> MessageRequest:
    return MessageRequest(
        model=model,
        max_tokens=100,
        messages=[ConversationMessage(role="user", content=[TextBlock(text=text)])],
    )


def ignore(_: StreamUpdate) -> None:
    return None


def costly(input_tokens: int) -> list[Any]:
    events = text_message_events("ok")
    events[0] = message_start(usage={"input_tokens": input_tokens, "output_tokens": 1})
    return events


def test_the_estimate_grows_with_the_request() -> None:
    # 4,000 more characters are about 1,000 more tokens (the compaction estimate's ratio).
    grown = request_tokens(request("x" * 4001)) - request_tokens(request("x"))
    assert 999 <= grown <= 1001


def test_a_call_that_would_pass_the_budget_is_not_sent() -> None:
    inner = ScriptedModelClient([costly(100_000), costly(100_000)])
    # $3 per million input tokens: the first call costs $0.30 of a $0.50 budget.
    client = BudgetedClient(inner, budget=0.5)
    client.stream_message(request(), ignore)
    assert client.spent == pytest.approx(0.3 + 15 / 1_000_000 * 8, rel=0.01)
    with pytest.raises(BudgetExceeded) as caught:
        client.stream_message(request("x" * 1_000_000), ignore)
    assert len(inner.requests) == 1
    assert caught.value.spent == client.spent
    assert "--max-budget-usd" in str(caught.value)


def test_an_unpriced_model_cannot_have_a_budget() -> None:
    with pytest.raises(UnpricedModel):
        check_priced("mystery-1")
    client = BudgetedClient(ScriptedModelClient([]), budget=1.0)
    with pytest.raises(UnpricedModel):
        client.stream_message(request(model="mystery-1"), ignore)


def test_fallback_after_overload_then_stays_on_the_fallback() -> None:
    notices: list[str] = []
    inner = ScriptedModelClient(
        [
            ApiStatusError(529, "overloaded_error", "busy"),
            text_message_events("a"),
            text_message_events("b"),
        ]
    )
    client = FallbackClient(inner, "claude-haiku-4-5", notices.append)
    assert client.stream_message(request(), ignore).text == "a"
    assert client.stream_message(request(), ignore).text == "b"
    assert [r["model"] for r in inner.requests] == [
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-haiku-4-5",
    ]
    assert client.switched_to == "claude-haiku-4-5"
    assert len(notices) == 1


@pytest.mark.parametrize(
    "error",
    [
        ApiStatusError(500, "api_error", "boom"),
        ApiStatusError(429, "rate_limit_error", "slow down"),
        StreamError("api_error", "boom"),
    ],
)
def test_other_failures_are_not_a_reason_to_fall_back(error: Exception) -> None:
    client = FallbackClient(ScriptedModelClient([error]), "claude-haiku-4-5", lambda _: None)
    with pytest.raises(type(error)):
        client.stream_message(request(), ignore)
    assert client.switched_to is None


def test_overload_on_the_fallback_itself_is_raised() -> None:
    overloaded = ApiStatusError(529, "overloaded_error", "busy")
    client = FallbackClient(
        ScriptedModelClient([overloaded, overloaded]), "claude-haiku-4-5", lambda _: None
    )
    with pytest.raises(ApiStatusError):
        client.stream_message(request(), ignore)


def test_structured_answer_gets_one_retry() -> None:
    answer = StructuredAnswer(schema={"type": "object"})

    def validate(value: Any) -> str | None:
        return None if value.get("ok") else "ok is missing"

    first = answer.offer({"no": 1}, validate)
    assert first.is_error
    assert "Call StructuredOutput again" in str(first.content)
    second = answer.offer({"still": 1}, validate)
    assert second.is_error
    assert "Do not call" in str(second.content)
    assert answer.attempts == MAX_ATTEMPTS
    assert not answer.valid
    assert answer.last_error == "ok is missing"


def test_a_non_object_schema_travels_wrapped() -> None:
    schema = {"type": "array"}
    assert tool_definition(schema)["input_schema"] == {
        "type": "object",
        "properties": {"value": schema},
        "required": ["value"],
    }
    answer = StructuredAnswer(schema=schema)
    outcome = answer.offer({"value": [1]}, lambda v: None if isinstance(v, list) else "not a list")
    assert not outcome.is_error
    assert answer.value == [1]
