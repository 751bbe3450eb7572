"""Prices, cost per call, per turn and per session, and the unknown-model case."""

from __future__ import annotations

import re

import pytest

from domain.cost import CostLedger, ModelPrice, describe_cost, estimate_cost, price_of
from domain.messages.content import Usage
from domain.messages.wire import usage_from_wire, usage_to_wire
from domain.price_table import PRICES_AS_OF, PRICES_PER_MTOK

MILLION = 1_000_000


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-sonnet-4-5", ModelPrice(3.0, 15.0, 3.75, 0.30)),
        ("claude-sonnet-4-5-20250929", ModelPrice(3.0, 15.0, 3.75, 0.30)),
        ("claude-opus-4-5-20251101", ModelPrice(5.0, 25.0, 6.25, 0.50)),
        ("claude-opus-4-1", ModelPrice(15.0, 75.0, 18.75, 1.50)),
        ("claude-haiku-4-5", ModelPrice(1.0, 5.0, 1.25, 0.10)),
        ("claude-3-5-haiku-latest", ModelPrice(0.8, 4.0, 1.0, 0.08)),
        ("gpt-4o", None),
        ("deepseek-chat", None),
    ],
)
def test_price_by_family_most_specific_prefix_first(
    model: str, expected: ModelPrice | None
) -> None:
    assert price_of(model) == expected


def test_the_table_is_dated_and_consistent() -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", PRICES_AS_OF)
    for prefix, (inp, out, write, read) in PRICES_PER_MTOK.items():
        # Anthropic's cache rules: a 5-minute write costs 1.25x input, a read 0.1x
        # (the published prices are rounded, hence the tolerance).
        assert write == pytest.approx(inp * 1.25, abs=0.015), prefix
        assert read == pytest.approx(inp * 0.1, abs=0.015), prefix
        assert out > inp, prefix


def test_cost_counts_every_kind_of_token() -> None:
    usage = Usage(
        input_tokens=MILLION,
        output_tokens=MILLION,
        cache_creation_input_tokens=MILLION,
        cache_read_input_tokens=MILLION,
    )
    assert estimate_cost("claude-sonnet-4-5", usage) == pytest.approx(3 + 15 + 3.75 + 0.30)
    assert estimate_cost("claude-sonnet-4-5", Usage(output_tokens=2000)) == pytest.approx(0.03)
    assert estimate_cost("mystery-model", usage) is None


def test_each_web_search_costs_a_cent_on_top_of_the_tokens() -> None:
    wire = {"input_tokens": 1000, "output_tokens": 0, "server_tool_use": {"web_search_requests": 3}}
    usage = usage_from_wire(wire)
    assert usage.web_search_requests == 3
    assert estimate_cost("claude-sonnet-4-5", usage) == pytest.approx(0.003 + 0.03)
    assert estimate_cost("mystery-model", usage) is None


def test_web_searches_add_up_across_calls_and_go_back_on_the_wire() -> None:
    first = usage_from_wire(
        {"server_tool_use": {"web_search_requests": 2, "web_fetch_requests": 1}}
    )
    total = first + usage_from_wire({"server_tool_use": {"web_search_requests": 1}})
    assert total.web_search_requests == 3
    assert usage_to_wire(first)["server_tool_use"] == {
        "web_search_requests": 2,
        "web_fetch_requests": 1,
    }
    assert usage_to_wire(total)["server_tool_use"] == {"web_search_requests": 3}
    assert "server_tool_use" not in usage_to_wire(Usage(input_tokens=5))


@pytest.mark.parametrize("count", [-1, "2", 1.5, None])
def test_a_malformed_search_count_counts_as_none(count: object) -> None:
    assert (
        usage_from_wire({"server_tool_use": {"web_search_requests": count}}).web_search_requests
        == 0
    )


def test_ledger_sums_turns_and_keeps_each_turn() -> None:
    ledger = CostLedger()
    first = ledger.record("claude-sonnet-4-5", Usage(input_tokens=1000, output_tokens=100))
    ledger.record(
        "claude-sonnet-4-5",
        Usage(input_tokens=50, output_tokens=200, cache_read_input_tokens=10_000),
    )
    assert first.label == "turn 1"
    assert first.cost == pytest.approx((1000 * 3 + 100 * 15) / MILLION)
    assert ledger.usage == Usage(
        input_tokens=1050, output_tokens=300, cache_read_input_tokens=10_000
    )
    expected = (1050 * 3 + 300 * 15 + 10_000 * 0.3) / MILLION
    assert ledger.cost == pytest.approx(expected)
    assert [t.label for t in ledger.turns] == ["turn 1", "turn 2"]


def test_unknown_model_keeps_tokens_and_says_price_unknown() -> None:
    ledger = CostLedger()
    ledger.record("local-llama", Usage(input_tokens=1234, output_tokens=56))
    assert ledger.cost is None
    assert ledger.unpriced_models == ["local-llama"]
    lines = describe_cost(ledger)
    assert lines[0] == ("Session: input 1,234 · output 56 · cache write 0 · cache read 0 tokens")
    assert lines[1] == (
        "Estimated cost: unknown: no price is known for local-llama (the token counts are exact)"
    )
    assert lines[3] == (
        "  turn 1 (local-llama): input 1,234 · output 56 · cache write 0 · cache read 0 tokens; "
        "price unknown"
    )


def test_mixed_known_and_unknown_models() -> None:
    ledger = CostLedger()
    ledger.record("claude-haiku-4-5", Usage(output_tokens=MILLION))
    ledger.record("other", Usage(output_tokens=10))
    assert ledger.cost is None
    assert ledger.priced_cost == pytest.approx(5.0)
    assert describe_cost(ledger)[1] == (
        "Estimated cost: $5.00 for the priced models, plus an unknown amount: "
        "no price is known for other"
    )


def test_an_unknown_model_that_spent_nothing_does_not_spoil_the_total() -> None:
    ledger = CostLedger()
    ledger.record("claude-haiku-4-5", Usage(input_tokens=100))
    ledger.record("other", Usage())
    assert ledger.cost == pytest.approx(0.0001)


def test_describe_cost_shows_cache_tokens_and_recent_turns() -> None:
    ledger = CostLedger()
    for _ in range(3):
        ledger.record(
            "claude-sonnet-4-5",
            Usage(input_tokens=10, cache_creation_input_tokens=2000, cache_read_input_tokens=9000),
        )
    ledger.record("claude-sonnet-4-5", Usage(input_tokens=5000), label="compaction")
    lines = describe_cost(ledger, last_turns=2)
    assert (
        lines[0] == "Session: input 5,030 · output 0 · cache write 6,000 · cache read 27,000 tokens"
    )
    assert lines[1] == f"Estimated cost: $0.0457 (prices as of {PRICES_AS_OF})"
    assert lines[2] == "Last 2 turns:"
    assert lines[3].startswith("  turn 3 (claude-sonnet-4-5): input 10 · output 0 · cache write")
    assert lines[4] == (
        "  compaction (claude-sonnet-4-5): input 5,000 · output 0 · cache write 0 · "
        "cache read 0 tokens; $0.0150"
    )


def test_describe_cost_counts_the_web_searches() -> None:
    ledger = CostLedger()
    ledger.record("claude-haiku-4-5", Usage(web_search_requests=1))
    ledger.record("claude-haiku-4-5", Usage(input_tokens=1000, web_search_requests=2))
    lines = describe_cost(ledger)
    assert lines[0] == (
        "Session: input 1,000 · output 0 · cache write 0 · cache read 0 tokens · 3 web searches"
    )
    assert lines[1] == f"Estimated cost: $0.0310 (prices as of {PRICES_AS_OF})"
    assert lines[3].endswith("cache read 0 tokens · 1 web search; $0.0100")
