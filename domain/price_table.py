"""Prices per million tokens by model family, USD. The one place prices live.

PRICES_AS_OF is the date the table was last checked against Anthropic's public
pricing page. Families are matched by prefix, most specific first. Cache writes
are priced for the 5-minute cache, the only one hexclaw asks for.
"""

PRICES_AS_OF = "2026-11-01"

# The web search server tool, per search, whatever the model ($10 per 1,000 searches).
WEB_SEARCH_PER_REQUEST = 10.00 / 1000

# prefix: (input, output, cache write (5 min), cache read)
PRICES_PER_MTOK: dict[str, tuple[float, float, float, float]] = {
    "claude-opus-4-5": (5.00, 25.00, 6.25, 0.50),
    "claude-opus-4": (15.00, 75.00, 18.75, 1.50),
    "claude-sonnet-4": (3.00, 15.00, 3.75, 0.30),
    "claude-3-7-sonnet": (3.00, 15.00, 3.75, 0.30),
    "claude-3-5-sonnet": (3.00, 15.00, 3.75, 0.30),
    "claude-haiku-4-5": (1.00, 5.00, 1.25, 0.10),
    "claude-3-5-haiku": (0.80, 4.00, 1.00, 0.08),
    "claude-3-opus": (15.00, 75.00, 18.75, 1.50),
    "claude-3-haiku": (0.25, 1.25, 0.30, 0.03),
}
