"""Read of images and PDFs with the real tool over real files: image and document blocks,
selected PDF pages, and a clear error past each limit."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from domain.context.media import MAX_IMAGE_BYTES, MAX_PDF_PAGES
from tests.integration.tool_harness import Harness
from tests.media_files import pdf_bytes, pdf_page_widths, png_bytes, write


def blocks(kit: Harness, **tool_input: object) -> list[dict[str, Any]]:
    outcome = kit.run("Read", **tool_input)
    assert not outcome.is_error, outcome.content
    assert isinstance(outcome.content, list)
    return outcome.content


def error(kit: Harness, **tool_input: object) -> str:
    outcome = kit.run("Read", **tool_input)
    assert outcome.is_error
    assert isinstance(outcome.content, str)
    return outcome.content


def test_an_image_comes_back_as_an_image_block(kit: Harness, workspace: Path) -> None:
    data = write(workspace / "dot.png", png_bytes()).read_bytes()
    [block] = blocks(kit, file_path="dot.png")
    assert block["type"] == "image"
    assert block["source"]["media_type"] == "image/png"
    assert base64.b64decode(block["source"]["data"]) == data


def test_an_image_over_the_limit_is_a_clear_error(kit: Harness, workspace: Path) -> None:
    write(workspace / "huge.png", png_bytes(MAX_IMAGE_BYTES))
    message = error(kit, file_path="huge.png")
    assert "images over 3,750,000 bytes cannot be sent" in message


def test_a_short_pdf_comes_back_whole_as_a_document_block(kit: Harness, workspace: Path) -> None:
    data = write(workspace / "doc.pdf", pdf_bytes(3)).read_bytes()
    note, document = blocks(kit, file_path="doc.pdf")
    assert note == {"type": "text", "text": "PDF doc.pdf: pages 1-3 of 3."}
    assert document["type"] == "document"
    assert document["source"]["media_type"] == "application/pdf"
    assert base64.b64decode(document["source"]["data"]) == data


def test_pages_sends_only_the_pages_asked_for(kit: Harness, workspace: Path) -> None:
    write(workspace / "long.pdf", pdf_bytes(30))
    note, document = blocks(kit, file_path="long.pdf", pages="2-4, 9,3")
    assert note["text"] == "PDF long.pdf: pages 2-4, 9 of 30."
    sent = base64.b64decode(document["source"]["data"])
    assert pdf_page_widths(sent) == [102, 103, 104, 109]


def test_a_long_pdf_without_pages_says_how_to_read_it(kit: Harness, workspace: Path) -> None:
    write(workspace / "long.pdf", pdf_bytes(MAX_PDF_PAGES + 1))
    message = error(kit, file_path="long.pdf")
    assert f"has {MAX_PDF_PAGES + 1} pages" in message
    assert 'pages: "1-20"' in message


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("7", "goes past the end: the PDF has 5 pages"),
        ("1-21", "at most 20 are read at a time"),
        ("three", "is not a page range"),
        ("4-2", "is not a range of pages counted from 1"),
    ],
)
def test_bad_page_ranges_are_explained(
    kit: Harness, workspace: Path, pages: str, expected: str
) -> None:
    write(workspace / "five.pdf", pdf_bytes(5) if pages != "1-21" else pdf_bytes(25))
    assert expected in error(kit, file_path="five.pdf", pages=pages)


def test_a_damaged_pdf_is_one_clear_error(kit: Harness, workspace: Path) -> None:
    write(workspace / "broken.pdf", b"%PDF-1.7\nnot really a pdf\n")
    assert "broken.pdf is not a PDF hexclaw can read" in error(kit, file_path="broken.pdf")


def test_pages_on_a_text_file_is_refused(kit: Harness, workspace: Path) -> None:
    (workspace / "a.txt").write_text("hello\n")
    assert "pages applies to PDF files only" in error(kit, file_path="a.txt", pages="1")
