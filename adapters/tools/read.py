"""Read: a file's lines numbered like ``cat -n``, images as image blocks, notebooks by cell."""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
from collections.abc import Iterator
from typing import Any

from adapters.tools.support.file_state import FileStateTracker
from adapters.tools.support.text_files import SNIFF_BYTES, BinaryFile, bom_of, looks_binary
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from adapters.tools.support.workspace import Workspace, open_for_reading
from domain.context.media import (
    MAX_PDF_PAGES,
    PDF_TYPE,
    MediaError,
    check_size,
    document_block,
    image_block,
    media_type_of,
)
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolOutcome

DEFAULT_LIMIT = 2000
MAX_LINE_CHARS = 2000
MAX_OUTPUT_CHARS = 100_000

SCHEMA: JSONObject = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "file_path": {"type": "string"},
        "offset": {"type": "integer", "minimum": 0, "maximum": 9007199254740991},
        "limit": {"type": "integer", "exclusiveMinimum": 0, "maximum": 9007199254740991},
        "pages": {"type": "string"},
        "allow_large": {"type": "boolean"},
    },
    "required": ["file_path"],
    "additionalProperties": False,
}
DESCRIPTION = f"""Read a file from the local filesystem.
- file_path: absolute, or relative to the workspace root.
- Returns up to {DEFAULT_LIMIT} lines from the start, numbered like `cat -n` (number, tab, line). \
Use offset (first line number to read) and limit (number of lines) for long files.
- Lines longer than {MAX_LINE_CHARS} characters are cut.
- Images (PNG, JPEG, GIF, WebP) are returned as images; Jupyter notebooks as their cells with ids.
- PDFs are returned as documents you can see, page images included: at most \
{MAX_PDF_PAGES} pages at a time; for a longer one pass pages, e.g. "1-5", "3" or "1-3,7".
- A file must be read before Write or Edit can change it.
- Directories cannot be read: use LS or Glob.
- Output stops near {MAX_OUTPUT_CHARS:,} characters unless allow_large is true."""


class ReadTool:
    name = "Read"
    # Changes nothing and asks nothing while it runs: may run beside other such calls.
    concurrency_safe = True

    def __init__(self, workspace: Workspace, files: FileStateTracker) -> None:
        self.workspace = workspace
        self.files = files

    def definition(self) -> JSONObject:
        return {"name": self.name, "description": DESCRIPTION, "input_schema": SCHEMA}

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        path = tool_input.get("file_path")
        return self.workspace.access(
            self.name, "read", path if isinstance(path, str) else None, call_input=tool_input
        )

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        resolved = self.workspace.read_target(args.string("file_path"), call_input=tool_input)
        offset = args.optional_int("offset", 0) or 1
        limit = args.optional_int("limit", 1) or DEFAULT_LIMIT
        allow_large = args.optional_bool("allow_large")
        pages = args.optional_string("pages")
        shown = self.workspace.display(resolved.given)
        try:
            fd = open_for_reading(resolved)
        except FileNotFoundError:
            raise ToolError(f"{shown} does not exist (resolved to {resolved.real})") from None
        # The checks are made on what was opened, not on the path.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            if stat.S_ISDIR(info.st_mode):
                raise ToolError(f"{shown} is a directory; use LS or Glob to list it")
            raise ToolError(f"{shown} is not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            return self._read_open(
                handle, resolved.real, shown, info, offset, limit, allow_large, pages
            )

    def _read_open(
        self,
        handle: io.BufferedReader,
        real: str,
        shown: str,
        info: os.stat_result,
        offset: int,
        limit: int,
        allow_large: bool,
        pages: str | None = None,
    ) -> ToolOutcome:
        suffix = os.path.splitext(real)[1].lower()
        media_type = media_type_of(real)
        if media_type is not None:
            try:
                return self._media(handle, real, shown, media_type, info, pages)
            except MediaError as exc:
                raise ToolError(str(exc)) from None
        if pages is not None:
            raise ToolError(f"pages applies to PDF files only; {shown} is not one")
        head = handle.read(SNIFF_BYTES)
        if looks_binary(head):
            raise BinaryFile(f"{shown} is a binary file ({info.st_size:,} bytes), not text")
        handle.seek(0)
        if suffix == ".ipynb":
            text = _notebook_text(handle.read())
            lines: Iterator[str] = iter(text.splitlines(keepends=True))
        else:
            lines = _text_lines(handle, head)
        outcome = _number_lines(lines, shown, offset, limit, allow_large)
        self.files.remember(real, info)
        return outcome

    def _media(
        self,
        handle: io.BufferedReader,
        path: str,
        shown: str,
        media_type: str,
        info: os.stat_result,
        pages: str | None,
    ) -> ToolOutcome:
        if media_type != PDF_TYPE and pages is not None:
            raise ToolError(f"pages applies to PDF files only; {shown} is an image")
        check_size(shown, media_type, info.st_size)
        data = handle.read()
        self.files.remember(path, info)
        if media_type != PDF_TYPE:
            return ToolOutcome(
                content=[image_block(data, media_type)],
                summary=f"Read image {shown} ({len(data):,} bytes)",
            )
        from adapters.files.pdf_pages import selected_pages

        sent, span, count = selected_pages(data, shown, pages)
        check_size(shown, media_type, len(sent))
        plural = "s" if count != 1 else ""
        note = f"PDF {shown}: page{'s' if '-' in span or ',' in span else ''} {span} of {count}."
        return ToolOutcome(
            content=[{"type": "text", "text": note}, document_block(sent)],
            summary=f"Read PDF {shown} (pages {span} of {count} page{plural})",
        )


def _text_lines(handle: io.BufferedReader, head: bytes) -> Iterator[str]:
    found = bom_of(head)
    if found is not None:
        encoding = "utf-8-sig" if found[1] == "utf-8" else "utf-16"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "latin-1"
    return iter(io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline=None))


def _number_lines(
    lines: Iterator[str], shown: str, offset: int, limit: int, allow_large: bool
) -> ToolOutcome:
    out: list[str] = []
    size = 0
    total = 0
    last = offset - 1
    stopped_at: int | None = None
    for number, raw in enumerate(lines, start=1):
        total = number
        if number < offset or number >= offset + limit or stopped_at is not None:
            continue
        line = _cut(raw.rstrip("\n"))
        entry = f"{number:>6}\t{line}"
        if not allow_large and size + len(entry) > MAX_OUTPUT_CHARS and out:
            stopped_at = number
            continue
        out.append(entry)
        size += len(entry) + 1
        last = number
    if total == 0:
        return ToolOutcome(content=f"{shown} exists but is empty.", summary=f"Read {shown} (empty)")
    if offset > total:
        raise ToolError(f"offset {offset} is past the end of {shown}, which has {total} lines")
    notes: list[str] = []
    if stopped_at is not None:
        notes.append(
            f"[Output stopped at line {stopped_at} to stay under {MAX_OUTPUT_CHARS:,} characters; "
            f"continue with offset={stopped_at}, or pass allow_large=true.]"
        )
    elif last < total:
        notes.append(
            f"[Showing lines {offset}-{last} of {total}; use offset and limit to read more.]"
        )
    text = "\n".join(out + notes)
    return ToolOutcome(
        content=text,
        summary=f"Read {shown} (lines {offset}-{last} of {total})",
        structured={
            "type": "text",
            "filePath": shown,
            "startLine": offset,
            "numLines": len(out),
            "totalLines": total,
        },
    )


def _cut(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    return f"{line[:MAX_LINE_CHARS]}… [{len(line) - MAX_LINE_CHARS:,} more characters]"


def _notebook_text(data: bytes) -> str:
    try:
        notebook: Any = json.loads(data)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        return data.decode("utf-8", "replace")
    parts: list[str] = []
    for index, cell in enumerate(cells):
        cell_id = cell.get("id") or f"cell-{index}"
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        parts.append(f'<cell id="{cell_id}" type="{cell.get("cell_type", "code")}">')
        parts.append(source)
        outputs = [_output_text(o) for o in cell.get("outputs", []) or []]
        if any(outputs):
            parts.append("<outputs>")
            parts.extend(o for o in outputs if o)
            parts.append("</outputs>")
        parts.append("</cell>")
    return "\n".join(parts) + "\n"


def _output_text(output: Any) -> str:
    if not isinstance(output, dict):
        return ""
    if "text" in output:
        text = output["text"]
        return "".join(text) if isinstance(text, list) else str(text)
    data = output.get("data")
    if isinstance(data, dict) and "text/plain" in data:
        plain = data["text/plain"]
        return "".join(plain) if isinstance(plain, list) else str(plain)
    if output.get("output_type") == "error":
        return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return ""
