"""The thinking and effort a request asks for, from the model table and the run's controls."""

from __future__ import annotations

import pytest

from domain.messages.content import ConversationMessage, TextBlock, ToolResultBlock
from domain.messages.request import MessageRequest
from domain.reasoning.errors import ReasoningError
from domain.reasoning.models import thinking_support
from domain.reasoning.plan import ReasoningControls, shape
from domain.reasoning.prompt_words import ThinkLevel, think_level, typed_prompt


def request(
    model: str = "claude-sonnet-4-5", max_tokens: int = 32000, **kw: object
) -> MessageRequest:
    messages = kw.pop("messages", [ConversationMessage.user_text("hello")])
    return MessageRequest(model=model, max_tokens=max_tokens, messages=messages, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I think so", ThinkLevel.BASIC),
        ("THINK HARD", ThinkLevel.MIDDLE),
        ("megathink please", ThinkLevel.MIDDLE),
        ("ultrathink", ThinkLevel.HIGHEST),
        ("think very hard about it", ThinkLevel.HIGHEST),
        ("rethinking the thinker", ThinkLevel.NONE),
        ("", ThinkLevel.NONE),
    ],
)
def test_prompt_words_are_whole_words(text: str, level: int) -> None:
    assert think_level(text) == level


def test_the_typed_prompt_is_found_behind_tool_results() -> None:
    messages = [
        ConversationMessage(role="user", content=[TextBlock("ultrathink"), TextBlock("file")]),
        ConversationMessage(role="assistant", content=[TextBlock("calling")]),
        ConversationMessage(role="user", content=[ToolResultBlock("t1", "think hard")]),
    ]
    assert typed_prompt(messages) == "ultrathink"


def test_a_side_call_is_left_alone() -> None:
    plain = request(side_call=True)
    assert shape(plain, ReasoningControls()) is plain


def test_thinking_drops_a_temperature_the_api_would_refuse() -> None:
    shaped = shape(request(temperature=0.2), ReasoningControls())
    assert shaped.thinking == {"type": "enabled", "budget_tokens": 31999}
    assert shaped.temperature is None


def test_too_small_a_max_tokens_leaves_no_room_to_think() -> None:
    shaped = shape(request(max_tokens=1024), ReasoningControls())
    assert shaped.thinking == {"type": "disabled"}
    small = shape(request(max_tokens=1500), ReasoningControls(explicit_budget=100))
    assert small.thinking == {"type": "enabled", "budget_tokens": 1024}


def test_an_unknown_model_thinks_only_when_given_a_budget() -> None:
    assert shape(request("my-proxy-model"), ReasoningControls()).thinking is None
    given = shape(request("my-proxy-model"), ReasoningControls(explicit_budget=5000))
    assert given.thinking == {"type": "enabled", "budget_tokens": 5000}


def test_adaptive_only_models_are_never_sent_disabled() -> None:
    off = shape(request("claude-fable-5"), ReasoningControls(enabled=False))
    assert off.thinking is None
    assert off.temperature is None
    assert off.output_config == {"effort": "medium"}


def test_with_thinking_off_effort_stays_at_high_or_below() -> None:
    controls = ReasoningControls(enabled=False, effort="max")
    assert shape(request("claude-opus-5"), controls).output_config == {"effort": "high"}


def test_the_longest_prefix_decides() -> None:
    assert thinking_support("claude-opus-4-5-20251101").effort_beta == "effort-2025-11-24"
    assert thinking_support("claude-opus-4-1").efforts == ()
    assert thinking_support("claude-3-7-sonnet-latest").budget
    assert not thinking_support("claude-3-5-sonnet-latest").thinks


def test_effort_levels_are_checked_against_the_model() -> None:
    controls = ReasoningControls()
    controls.set_effort("xhigh", "claude-opus-5")
    assert controls.effort == "xhigh"
    with pytest.raises(ReasoningError, match="low, medium, high"):
        controls.set_effort("max", "claude-opus-4-5")
    with pytest.raises(ReasoningError, match="takes no effort"):
        controls.set_effort("low", "claude-sonnet-4-5")
    controls.set_effort("auto", "claude-opus-5")
    assert controls.effort is None
