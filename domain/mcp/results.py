"""A tool result's content, as plain JSON from the adapter, to what the model reads.

Text stays text; an image becomes an image block; an embedded resource its text (or, for an
image, an image block), named by its URI; a resource link a line naming it; audio and other
binary content a line saying what was left out. ``structuredContent`` is shown as JSON when
the server sent no content blocks. Text beyond ``MAX_MCP_OUTPUT_TOKENS`` (about four
characters a token) is cut, with a note saying so the model knows it saw only part.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from domain.messages.content import JSONObject

DEFAULT_MAX_OUTPUT_TOKENS = 25_000
CHARS_PER_TOKEN = 4
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def result_blocks(
    content: Sequence[Mapping[str, Any]],
    structured: object = None,
    max_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
) -> list[JSONObject]:
    blocks: list[JSONObject] = []
    for item in content:
        blocks.extend(_block(item))
    if not blocks and structured is not None:
        blocks.append({"type": "text", "text": json.dumps(structured, ensure_ascii=False)})
    if not blocks:
        blocks.append({"type": "text", "text": "(the tool returned no content)"})
    return capped(blocks, max_tokens)


def _block(item: Mapping[str, Any]) -> list[JSONObject]:
    kind = item.get("type")
    if kind == "text":
        return [{"type": "text", "text": str(item.get("text", ""))}]
    if kind == "image":
        return [_image(str(item.get("mimeType", "")), str(item.get("data", "")))]
    if kind == "resource":
        resource = item.get("resource")
        if not isinstance(resource, Mapping):
            return []
        uri = str(resource.get("uri", ""))
        mime = str(resource.get("mimeType") or "")
        if isinstance(resource.get("text"), str):
            return [{"type": "text", "text": f"[resource {uri}]\n{resource['text']}"}]
        blob = resource.get("blob")
        if isinstance(blob, str) and mime in _IMAGE_TYPES:
            return [_image(mime, blob)]
        size = len(blob) * 3 // 4 if isinstance(blob, str) else 0
        return [_omitted(f"binary resource {uri} ({mime or 'unknown type'}, {size} bytes)")]
    if kind == "resource_link":
        name = item.get("name") or ""
        return [{"type": "text", "text": f"[resource link: {item.get('uri', '')} {name}]".strip()}]
    if kind == "audio":
        return [_omitted(f"audio ({item.get('mimeType', 'unknown type')})")]
    return [_omitted(f"content of type {kind!r}")]


def _image(mime: str, data: str) -> JSONObject:
    if mime not in _IMAGE_TYPES:
        return _omitted(f"image of type {mime or 'unknown'}")
    return {"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}


def _omitted(what: str) -> JSONObject:
    return {"type": "text", "text": f"[{what}: not shown to the model]"}


def capped(blocks: list[JSONObject], max_tokens: int) -> list[JSONObject]:
    """The blocks with their text cut to about ``max_tokens``, and a note when cut."""
    budget = max_tokens * CHARS_PER_TOKEN
    total = sum(len(str(b.get("text", ""))) for b in blocks if b.get("type") == "text")
    if total <= budget:
        return blocks
    kept: list[JSONObject] = []
    left = budget
    for block in blocks:
        if block.get("type") != "text":
            kept.append(block)
            continue
        text = str(block.get("text", ""))
        if left <= 0:
            continue
        kept.append({"type": "text", "text": text[:left]})
        left -= len(text)
    kept.append(
        {
            "type": "text",
            "text": (
                f"[output truncated: the MCP tool returned about {total // CHARS_PER_TOKEN:,} "
                f"tokens, more than MAX_MCP_OUTPUT_TOKENS ({max_tokens:,}); ask for less, "
                "for example with a narrower query or pagination]"
            ),
        }
    )
    return kept
