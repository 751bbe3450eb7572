"""Model families: their default output budget and context window.

The output budgets are the families' documented maximum output (capped at 32,000
tokens, which is what long agentic turns need without paying for unused headroom);
a fallback serves model names hexclaw does not know, such as a proxy's own.
"""

from __future__ import annotations

from typing import NamedTuple

DEFAULT_MODEL = "claude-sonnet-4-5"


class ModelFamily(NamedTuple):
    prefix: str
    default_max_tokens: int
    context_window: int


_FAMILIES = (
    ModelFamily("claude-opus-4", 32_000, 200_000),
    ModelFamily("claude-sonnet-4", 32_000, 200_000),
    ModelFamily("claude-haiku-4", 32_000, 200_000),
    ModelFamily("claude-3-7-sonnet", 32_000, 200_000),
    ModelFamily("claude-3-5-haiku", 8_192, 200_000),
    ModelFamily("claude-3-5-sonnet", 8_192, 200_000),
    ModelFamily("claude-3-haiku", 4_096, 200_000),
    ModelFamily("claude-3-opus", 4_096, 200_000),
)
_FALLBACK = ModelFamily("", 16_000, 200_000)
KNOWN_MODELS = (
    "claude-opus-4-1",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-3-7-sonnet-latest",
)


def family_of(model: str) -> ModelFamily:
    for family in _FAMILIES:
        if model.startswith(family.prefix):
            return family
    return _FALLBACK


def default_max_tokens(model: str) -> int:
    return family_of(model).default_max_tokens


def context_window(model: str) -> int:
    return family_of(model).context_window
