"""Does a live request match the recorded one? If not, where and how does it differ?

Compared: the method, the path and query (not the host, so a recording from a local server
replays against any base URL) and the body. JSON bodies are compared as data. For the
Messages API only ``model`` and ``messages`` (the conversation, without its ``cache_control``
breakpoints) are compared: the rest of the body (``system`` with its date and git status,
``tools``, ``max_tokens``, ``metadata``...) is configuration that changes between versions and
machines without changing what was said.
Headers are never compared: they hold credentials and version strings.
"""

from __future__ import annotations

import json
from typing import Any

from domain.cassettes.cassette import CassetteRequest

MESSAGES_PATH_SUFFIX = "/v1/messages"
COMPARED_MESSAGES_FIELDS = ("model", "messages")
_SHOWN = 60
_MISSING = object()


def request_difference(recorded: CassetteRequest, live: CassetteRequest) -> str | None:
    """None when ``live`` matches ``recorded``; otherwise one line saying where they differ."""
    if recorded.method != live.method:
        return (
            f"the method differs: the cassette has {recorded.method}, this run sent {live.method}"
        )
    if recorded.target != live.target:
        return f"the URL differs: the cassette has {recorded.target}, this run sent {live.target}"
    return body_difference(recorded.body, live.body, recorded.target)


def body_difference(recorded: bytes, live: bytes, target: str = "") -> str | None:
    if recorded == live:
        return None
    recorded_json, live_json = _json_or_missing(recorded), _json_or_missing(live)
    if recorded_json is _MISSING or live_json is _MISSING:
        return _bytes_difference(recorded, live)
    path_only = target.split("?", 1)[0]
    if path_only.endswith(MESSAGES_PATH_SUFFIX):
        recorded_json, live_json = _messages_view(recorded_json), _messages_view(live_json)
    return first_difference("body", recorded_json, live_json)


def first_difference(where: str, recorded: Any, live: Any) -> str | None:
    """The first place, in reading order, where two JSON values differ."""
    if isinstance(recorded, dict) and isinstance(live, dict):
        for key in list(recorded) + [k for k in live if k not in recorded]:
            here = f"{where}.{key}"
            if key not in live:
                return f"{here} is in the cassette but not in this run's request"
            if key not in recorded:
                return f"{here} is in this run's request but not in the cassette"
            found = first_difference(here, recorded[key], live[key])
            if found:
                return found
        return None
    if isinstance(recorded, list) and isinstance(live, list):
        for index, (old, new) in enumerate(zip(recorded, live, strict=False)):
            found = first_difference(f"{where}[{index}]", old, new)
            if found:
                return found
        if len(recorded) != len(live):
            return (
                f"{where} has {len(recorded)} item{'s' if len(recorded) != 1 else ''} "
                f"in the cassette but {len(live)} in this run"
            )
        return None
    if recorded == live and type(recorded) is type(live):
        return None
    return f"{where}: the cassette has {_show(recorded)}, this run sent {_show(live)}"


def _messages_view(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    return {k: _without_cache_control(body[k]) for k in COMPARED_MESSAGES_FIELDS if k in body}


def _without_cache_control(value: Any) -> Any:
    """Cache breakpoints move from turn to turn; they say nothing about the conversation."""
    if isinstance(value, dict):
        return {k: _without_cache_control(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_without_cache_control(v) for v in value]
    return value


def _json_or_missing(data: bytes) -> Any:
    if not data.strip():
        return _MISSING
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return _MISSING


def _bytes_difference(recorded: bytes, live: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(recorded, live, strict=False)) if a != b),
        min(len(recorded), len(live)),
    )
    return (
        f"the body differs from byte {at}: the cassette has "
        f"{_show(recorded[at : at + _SHOWN].decode('utf-8', 'replace'))} ({len(recorded)} bytes), "
        f"this run sent {_show(live[at : at + _SHOWN].decode('utf-8', 'replace'))} "
        f"({len(live)} bytes)"
    )


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}… ({len(text)} characters)"
