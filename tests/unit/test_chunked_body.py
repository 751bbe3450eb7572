"""Editing a chunked body keeps its bytes and the places its chunks fell."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.cassettes.chunked_body import (
    boundaries_of,
    fixed_size,
    rewrite_chunks,
    split_at,
    split_by_lengths,
)


def test_no_spans_keeps_the_chunks_as_they_were() -> None:
    chunks = [b"event: a\n", b"data: 1\n\n", b"x"]
    assert rewrite_chunks(chunks, []) == chunks


def test_a_replacement_outside_every_boundary_only_shifts_later_chunks() -> None:
    chunks = [b"key=secret1;", b"rest"]
    assert rewrite_chunks(chunks, [(4, 11, b"REDACTED")]) == [b"key=REDACTED;", b"rest"]


def test_a_boundary_inside_a_replaced_span_moves_to_the_end_of_the_replacement() -> None:
    chunks = [b"a sk-ant-", b"abcdefgh b"]
    result = rewrite_chunks(chunks, [(2, 17, b"REDACTED")])
    assert result == [b"a REDACTED", b" b"]


def test_overlapping_spans_keep_the_earliest() -> None:
    result = rewrite_chunks([b"0123456789"], [(2, 6, b"X"), (4, 8, b"Y")])
    assert result == [b"01X6789"]


def test_split_helpers() -> None:
    assert boundaries_of([b"ab", b"c", b"de"]) == [2, 3]
    assert split_at(b"abcde", [3, 2, 2, 0, 5]) == [b"ab", b"c", b"de"]
    assert split_by_lengths(b"abcde", [2, 1, 2]) == [b"ab", b"c", b"de"]
    assert fixed_size(b"abcde", 2) == [b"ab", b"cd", b"e"]


@given(
    st.lists(st.binary(min_size=1, max_size=12), max_size=8),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 10), st.binary(max_size=5)), max_size=4),
)
def test_rewriting_equals_replacing_in_the_joined_body(
    chunks: list[bytes], raw_spans: list[tuple[int, int, bytes]]
) -> None:
    body = b"".join(chunks)
    spans = [(s, min(s + n, len(body)), r) for s, n, r in raw_spans if s < len(body)]
    result = rewrite_chunks(chunks, spans)
    # The expected body: the same replacements applied naively, earliest non-overlapping first.
    expected = bytearray()
    position = 0
    for start, end, replacement in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < position:
            continue
        expected += body[position:start] + replacement
        position = end
    expected += body[position:]
    assert b"".join(result) == bytes(expected)
    assert all(result)
    if not spans:
        assert result == chunks
