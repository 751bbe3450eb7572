"""Which model family accepts which kind of thinking and effort.

From Anthropic's documentation (extended thinking, adaptive thinking, effort, thinking
troubleshooting) and what Claude Code was seen sending:
- Claude 3.7 Sonnet and the Claude 4 models up to 4.5 take only ``{"type": "enabled",
  "budget_tokens": N}``; the Claude 4 ones think between tool calls with the
  ``interleaved-thinking-2025-05-14`` beta (3.7 does not);
- Opus 4.5 also takes ``output_config.effort`` (low, medium, high) with the
  ``effort-2025-11-24`` beta;
- the 4.6 models take both kinds; adaptive is the recommended one, and it interleaves on its
  own (no beta); effort gains ``max``;
- Opus 4.7 and later take adaptive only (``enabled`` is a 400) and effort gains ``xhigh``;
  Fable and Mythos also refuse ``disabled``, so "off" there is a request without ``thinking``;
- the Claude 3 and 3.5 models do not think at all.
The longest matching prefix decides; a name matching none (a proxy's own model) is treated
as unknown: it gets thinking only when the user gives an explicit budget.
"""

from __future__ import annotations

import attrs

from domain.repr_base import Record

INTERLEAVED_BETA = "interleaved-thinking-2025-05-14"
EFFORT_BETA = "effort-2025-11-24"
# Claude Code's budget with its 32,000-token max_tokens: all of the output but one token.
DEFAULT_MAX_BUDGET = 31_999
MIN_BUDGET = 1_024
EFFORT_ORDER = ("low", "medium", "high", "xhigh", "max")
_BASIC = ("low", "medium", "high")
_WITH_MAX = ("low", "medium", "high", "max")
_ALL = EFFORT_ORDER


@attrs.frozen(repr=False)
class ThinkingSupport(Record):
    prefix: str
    budget: bool = False
    """Takes ``{"type": "enabled", "budget_tokens": N}``."""
    adaptive: bool = False
    """Takes ``{"type": "adaptive"}`` (preferred where both are taken)."""
    accepts_disabled: bool = True
    """Takes ``{"type": "disabled"}``; where not, "off" is a request without ``thinking``."""
    interleaved_beta: bool = False
    """Thinks between tool calls with budget thinking once the beta header asks for it."""
    efforts: tuple[str, ...] = ()
    """The ``output_config.effort`` levels it takes, lowest first; empty: no effort."""
    effort_beta: str | None = None
    default_effort: str | None = None
    """What hexclaw sends when the user chose no level (Claude Code sends "medium" with
    adaptive thinking); None: no effort unless the user chose one."""
    max_budget: int = DEFAULT_MAX_BUDGET
    known: bool = True

    @property
    def thinks(self) -> bool:
        return self.budget or self.adaptive

    @property
    def adaptive_only(self) -> bool:
        return self.adaptive and not self.budget


_FAMILIES = (
    ThinkingSupport("claude-3-7-sonnet", budget=True),
    ThinkingSupport("claude-opus-4", budget=True, interleaved_beta=True),
    ThinkingSupport("claude-sonnet-4", budget=True, interleaved_beta=True),
    ThinkingSupport("claude-haiku-4", budget=True, interleaved_beta=True),
    ThinkingSupport(
        "claude-opus-4-5",
        budget=True,
        interleaved_beta=True,
        efforts=_BASIC,
        effort_beta=EFFORT_BETA,
    ),
    *(
        ThinkingSupport(
            prefix,
            budget=True,
            adaptive=True,
            interleaved_beta=True,
            efforts=_WITH_MAX,
            default_effort="medium",
        )
        for prefix in ("claude-opus-4-6", "claude-sonnet-4-6")
    ),
    *(
        ThinkingSupport(
            prefix, adaptive=True, accepts_disabled=False, efforts=_ALL, default_effort="medium"
        )
        for prefix in ("claude-opus-4-7", "claude-opus-4-8")
    ),
    *(
        ThinkingSupport(prefix, adaptive=True, efforts=_ALL, default_effort="medium")
        for prefix in ("claude-opus-5", "claude-sonnet-5")
    ),
    *(
        ThinkingSupport(
            prefix, adaptive=True, accepts_disabled=False, efforts=_ALL, default_effort="medium"
        )
        for prefix in ("claude-fable-5", "claude-mythos")
    ),
    # Known not to think: a thinking object would be refused.
    ThinkingSupport("claude-3"),
    ThinkingSupport("claude-2"),
    ThinkingSupport("claude-instant"),
)
_UNKNOWN = ThinkingSupport("", budget=True, known=False)


def thinking_support(model: str) -> ThinkingSupport:
    best: ThinkingSupport | None = None
    for family in _FAMILIES:
        if model.startswith(family.prefix) and (
            best is None or len(family.prefix) > len(best.prefix)
        ):
            best = family
    return best if best is not None else _UNKNOWN
