"""Pure parsing for images and PDFs: pasted paths, page ranges, sniffed image types."""

from __future__ import annotations

import pytest

from domain.context.file_mentions import pasted_image_paths
from domain.context.media import MediaError, page_span, parse_pages, sniffed_image_type


def test_pasted_paths_are_absolute_quoted_escaped_or_urls() -> None:
    text = (
        "see /tmp/a.png and '/tmp/my shot.PNG' \"/x/y.webp\" /tmp/with\\ space.jpg "
        "file:///tmp/u.gif ~/Desktop/s.jpeg @/tmp/mention.png logo.png /tmp/a.png /tmp/notes.txt"
    )
    assert pasted_image_paths(text) == [
        "/tmp/a.png",
        "/tmp/my shot.PNG",
        "/x/y.webp",
        "/tmp/with space.jpg",
        "/tmp/u.gif",
        "~/Desktop/s.jpeg",
    ]


@pytest.mark.parametrize(
    ("spec", "pages"),
    [("3", [2]), ("1-3", [0, 1, 2]), (" 2 - 3 , 1,2", [1, 2, 0]), ("10", [9])],
)
def test_page_ranges(spec: str, pages: list[int]) -> None:
    assert parse_pages(spec, 10) == pages


@pytest.mark.parametrize("spec", ["", "0", "a-b", "3-1", "11", "1-", "1,,2"])
def test_bad_page_ranges(spec: str) -> None:
    with pytest.raises(MediaError):
        parse_pages(spec, 10)


def test_page_span_joins_runs() -> None:
    assert page_span([0, 1, 2, 6, 8, 9]) == "1-3, 7, 9-10"
    assert page_span([4]) == "5"


def test_image_types_come_from_the_bytes() -> None:
    assert sniffed_image_type(b"\xff\xd8\xff\xe0rest", "image/png") == "image/jpeg"
    assert sniffed_image_type(b"GIF89a...", "image/png") == "image/gif"
    assert sniffed_image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/png") == "image/webp"
    assert sniffed_image_type(b"unknown", "image/png") == "image/png"
