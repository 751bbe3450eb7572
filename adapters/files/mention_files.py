"""The files a prompt names, read for attaching: ``@path`` mentions (text, folders, images,
PDFs) and image paths pasted into it. The REPL and ``-p`` share it; it imports no terminal
library, so ``-p`` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from domain.context.file_mentions import Attachment, find_mentions, pasted_image_paths
from domain.context.media import (
    PDF_TYPE,
    MediaError,
    check_size,
    document_block,
    image_block,
    media_type_of,
)

MAX_ATTACHMENT_BYTES = 256 * 1024
MAX_LISTED_ENTRIES = 200
MAX_FOLDER_ENTRIES = 2000

MentionCheck = Callable[[str, bool], str | None]
"""Why a mentioned path (a folder when the flag is set) may not be attached; None: it may."""


def folder_entries(workspace: Path, folder: str) -> list[tuple[str, bool]]:
    """(name, is_directory) for a folder named as the user typed it; [] when unreadable."""
    path = Path(folder).expanduser() if folder else Path()
    if not path.is_absolute():
        path = workspace / path
    entries: list[tuple[str, bool]] = []
    try:
        with os.scandir(path) as scan:
            for entry in scan:
                try:
                    entries.append((entry.name, entry.is_dir()))
                except OSError:
                    continue
                if len(entries) >= MAX_FOLDER_ENTRIES:
                    break
    except OSError:
        return []
    return entries


def read_attachments(
    workspace: Path, text: str, check: MentionCheck
) -> tuple[list[Attachment], list[str]]:
    """The files (and folder listings) that ``@path`` mentions in ``text`` name, then the
    image files pasted into it, and a note for each one that cannot be attached. A mention of
    nothing on disk is left as plain text.

    Each one passes ``check`` first (the Read rules and the workspace boundary, as a Read call
    would): a mention in pasted text is no more trusted than a model's call."""
    attachments: list[Attachment] = []
    notes: list[str] = []
    mentions = find_mentions(text)
    named = [(m, m) for m in mentions]
    named += [(p, p) for p in pasted_image_paths(text) if p not in mentions]
    for shown, given in named:
        path = Path(given).expanduser()
        if not path.is_absolute():
            path = workspace / path
        label = f"@{shown}" if shown in mentions else shown
        try:
            if not (path.is_dir() or path.is_file()):
                continue
            refused = check(str(path), path.is_dir())
            if refused is not None:
                notes.append(f"{label} was not attached: {refused}")
                continue
            attachment = _read_one(path, shown, label, notes)
        except OSError as exc:
            notes.append(f"{label} cannot be read ({exc.strerror or type(exc).__name__})")
            continue
        if attachment is not None:
            attachments.append(attachment)
    return attachments, notes


def _read_one(path: Path, shown: str, label: str, notes: list[str]) -> Attachment | None:
    if path.is_dir():
        names = sorted(name + ("/" if is_dir else "") for name, is_dir in folder_entries(path, ""))
        listing = "\n".join(names[:MAX_LISTED_ENTRIES])
        if len(names) > MAX_LISTED_ENTRIES:
            listing += f"\n… ({len(names) - MAX_LISTED_ENTRIES} more entries)"
        return Attachment(shown, listing or "(empty folder)")
    media_type = media_type_of(path.name)
    if media_type is not None:
        try:
            return _media(path, shown, media_type)
        except MediaError as exc:
            notes.append(f"{label} was not attached: {exc}")
            return None
    size = path.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        notes.append(
            f"{label} is {size // 1024} KiB, over the {MAX_ATTACHMENT_BYTES // 1024} "
            "KiB attachment limit; not attached (ask the model to read part of it)"
        )
        return None
    try:
        content = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        notes.append(f"{label} is not UTF-8 text; not attached")
        return None
    return Attachment(shown, content)


def _media(path: Path, shown: str, media_type: str) -> Attachment:
    check_size(shown, media_type, path.stat().st_size)
    data = path.read_bytes()
    if media_type != PDF_TYPE:
        return Attachment(shown, "", media=image_block(data, media_type))
    from adapters.files.pdf_pages import selected_pages

    sent, _span, _count = selected_pages(data, shown, None)
    return Attachment(shown, "", media=document_block(sent))
