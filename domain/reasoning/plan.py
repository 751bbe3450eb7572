"""How a run thinks, and the request that follows from it.

``ReasoningControls`` is what a run holds (the settings, the command line and the REPL's
Tab and ``/effort`` change it); ``shape`` turns a request into one that asks for the
thinking and effort its model family takes.
"""

from __future__ import annotations

import attrs

from domain.messages.request import MessageRequest
from domain.reasoning.errors import ReasoningError
from domain.reasoning.models import (
    EFFORT_ORDER,
    INTERLEAVED_BETA,
    MIN_BUDGET,
    ThinkingSupport,
    thinking_support,
)
from domain.reasoning.prompt_words import ThinkLevel, think_level, typed_prompt

# Effort the prompt words ask for on a model that decides its own budget.
_WORD_EFFORT = {ThinkLevel.BASIC: "medium", ThinkLevel.MIDDLE: "high", ThinkLevel.HIGHEST: "max"}


class ReasoningControls:
    """What a run holds; a plain class, not attrs: every run builds one, and a generated
    class costs startup time."""

    __slots__ = ("budget_source", "effort", "enabled", "explicit_budget")

    def __init__(
        self,
        enabled: bool = True,
        explicit_budget: int | None = None,
        budget_source: str = "",
        effort: str | None = None,
    ) -> None:
        self.enabled = enabled
        """``alwaysThinkingEnabled`` (true unless set false), flipped by Tab in the REPL."""
        self.explicit_budget = explicit_budget
        """``--max-thinking-tokens`` or ``MAX_THINKING_TOKENS``: wins over the rest; 0: off."""
        self.budget_source = budget_source
        self.effort = effort
        """``effortLevel`` or ``/effort``; None: the model family's default."""

    def __repr__(self) -> str:
        return (
            f"ReasoningControls(enabled={self.enabled!r}, explicit_budget="
            f"{self.explicit_budget!r}, effort={self.effort!r})"
        )

    def toggle(self) -> bool:
        self.enabled = not self.enabled
        return self.enabled

    def set_effort(self, level: str | None, model: str) -> None:
        """``/effort LEVEL`` (None or "auto": back to the model's default)."""
        if level is None or level == "auto":
            self.effort = None
            return
        support = thinking_support(model)
        if not support.efforts:
            raise ReasoningError(f"{model} takes no effort level")
        if level not in support.efforts:
            raise ReasoningError(
                f"{model} takes the effort levels {', '.join(support.efforts)} (or auto); "
                f"not {level!r}"
            )
        self.effort = level

    def thinks(self, model: str, max_tokens: int) -> bool:
        """Whether a plain prompt (no thinking words) would think on this model."""
        support = thinking_support(model)
        return _thinking(support, self, ThinkLevel.NONE, max_tokens, has_tools=False).on

    def describe(self, model: str, max_tokens: int) -> str:
        """One line for the REPL: how the next plain prompt will think."""
        support = thinking_support(model)
        plan = _thinking(support, self, ThinkLevel.NONE, max_tokens, has_tools=False)
        parts = [f"thinking {plan.label}"]
        effort = _effort(support, self, ThinkLevel.NONE, plan.on)
        if effort is not None:
            parts.append(f"effort {effort}")
        return " · ".join(parts)


class _ThinkingPlan:
    __slots__ = ("betas", "label", "on", "temperature_one", "thinking")

    def __init__(
        self,
        thinking: dict[str, object] | None,
        on: bool,
        label: str,
        temperature_one: bool = False,
        betas: tuple[str, ...] = (),
    ) -> None:
        self.thinking = thinking
        self.on = on
        self.label = label
        self.temperature_one = temperature_one
        self.betas = betas


_OFF = _ThinkingPlan(None, False, "off")


def shape(request: MessageRequest, controls: ReasoningControls) -> MessageRequest:
    """The request with the thinking, effort, beta headers and temperature its model takes."""
    if request.side_call or request.thinking is not None:
        return request
    support = thinking_support(request.model)
    words = think_level(typed_prompt(request.messages))
    plan = _thinking(support, controls, words, request.max_tokens, bool(request.tools))
    betas = list(request.betas)
    betas.extend(b for b in plan.betas if b not in betas)
    output_config = request.output_config
    effort = _effort(support, controls, words, plan.on)
    if effort is not None and output_config is None:
        output_config = {"effort": effort}
        if support.effort_beta and support.effort_beta not in betas:
            betas.append(support.effort_beta)
    temperature = request.temperature
    if plan.on:
        temperature = None  # the API takes no other temperature than 1 with thinking
    elif plan.temperature_one:
        temperature = 1
    return attrs.evolve(
        request,
        thinking=plan.thinking,
        output_config=output_config,
        betas=tuple(betas),
        temperature=temperature,
    )


def _thinking(
    support: ThinkingSupport,
    controls: ReasoningControls,
    words: int,
    max_tokens: int,
    has_tools: bool,
) -> _ThinkingPlan:
    if not support.thinks:
        return _OFF
    explicit = controls.explicit_budget
    if explicit is not None:
        if explicit == 0:
            return _off(support)
        if support.adaptive_only:
            return _ThinkingPlan({"type": "adaptive"}, True, "adaptive")
        return _budget_plan(support, explicit, max_tokens, has_tools)
    if not support.known:
        return _OFF  # a proxy's own model: only an explicit budget turns thinking on
    if not controls.enabled and words == ThinkLevel.NONE:
        return _off(support)
    if support.adaptive:
        return _ThinkingPlan({"type": "adaptive"}, True, "adaptive")
    budget = support.max_budget if controls.enabled else int(words)
    return _budget_plan(support, budget, max_tokens, has_tools)


def _budget_plan(
    support: ThinkingSupport, budget: int, max_tokens: int, has_tools: bool
) -> _ThinkingPlan:
    ceiling = max_tokens - 1
    if ceiling < MIN_BUDGET:
        return _off(support)  # max_tokens leaves no room for the smallest budget
    budget = max(MIN_BUDGET, min(budget, ceiling))
    betas = (
        (INTERLEAVED_BETA,) if has_tools and (support.interleaved_beta or not support.known) else ()
    )
    return _ThinkingPlan(
        {"type": "enabled", "budget_tokens": budget}, True, f"on ({budget:,} tokens)", betas=betas
    )


def _off(support: ThinkingSupport) -> _ThinkingPlan:
    if support.known and support.accepts_disabled:
        # What Claude Code sends: an explicit "disabled", with the temperature at 1.
        return _ThinkingPlan({"type": "disabled"}, False, "off", temperature_one=True)
    return _OFF


def _effort(
    support: ThinkingSupport, controls: ReasoningControls, words: int, thinking: bool
) -> str | None:
    if not support.efforts:
        return None
    chosen = controls.effort or support.default_effort
    if thinking and words != ThinkLevel.NONE and support.adaptive:
        wanted = _WORD_EFFORT[words]
        if chosen is None or EFFORT_ORDER.index(wanted) > EFFORT_ORDER.index(chosen):
            chosen = wanted
    if chosen is None:
        return None
    if not thinking and EFFORT_ORDER.index(chosen) > EFFORT_ORDER.index("high"):
        chosen = "high"  # xhigh and max are refused with thinking off
    return _highest_taken(support, chosen)


def _highest_taken(support: ThinkingSupport, level: str) -> str:
    """``level`` if the family takes it, else the highest level below it that it takes."""
    rank = EFFORT_ORDER.index(level) if level in EFFORT_ORDER else len(EFFORT_ORDER) - 1
    taken = [e for e in support.efforts if EFFORT_ORDER.index(e) <= rank]
    return taken[-1] if taken else support.efforts[0]
