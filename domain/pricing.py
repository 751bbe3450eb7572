"""Estimated cost of token usage; ``None`` when the model's price is unknown."""

from __future__ import annotations

from domain.messages import Usage
from domain.pricing_table import PRICES_PER_MTOK


def price_of(model: str) -> tuple[float, float, float, float] | None:
    for prefix in sorted(PRICES_PER_MTOK, key=len, reverse=True):
        if model.startswith(prefix):
            return PRICES_PER_MTOK[prefix]
    return None


def estimate_cost(model: str, usage: Usage) -> float | None:
    price = price_of(model)
    if price is None:
        return None
    input_price, output_price, write_price, read_price = price
    total = (
        usage.input_tokens * input_price
        + usage.output_tokens * output_price
        + usage.cache_creation_input_tokens * write_price
        + usage.cache_read_input_tokens * read_price
    )
    return total / 1_000_000
