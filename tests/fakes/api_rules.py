"""The Messages API's rules for a request's ``messages``, checked on the JSON actually sent.

Written from the API's documented rules, independently of
``domain/conversation/transcript.py``, so a test that uses it checks the domain rather than
repeating it.
"""

from __future__ import annotations

from typing import Any


def api_problems(messages: list[dict[str, Any]]) -> list[str]:
    """Every reason the API would refuse these messages; empty when it would accept them."""
    problems: list[str] = []
    if not messages:
        return ["no messages"]
    if messages[0].get("role") != "user":
        problems.append("the first message is not from the user")
    for i, message in enumerate(messages):
        role, content = message.get("role"), message.get("content")
        if role not in ("user", "assistant"):
            problems.append(f"message {i} has role {role!r}")
        if i and messages[i - 1].get("role") == role:
            problems.append(f"messages {i - 1} and {i} are both {role}")
        if isinstance(content, str):
            if not content:
                problems.append(f"message {i} is empty")
            continue
        if not content:
            problems.append(f"message {i} has no content")
            continue
        for block in content:
            if block.get("type") == "text" and not block.get("text"):
                problems.append(f"message {i} has an empty text block")
            if block.get("type") == "thinking" and not block.get("signature"):
                problems.append(f"message {i} has a thinking block without a signature")
            if role == "user" and block.get("type") == "tool_use":
                problems.append(f"message {i} is a user message with a tool_use")
            if role == "assistant" and block.get("type") == "tool_result":
                problems.append(f"message {i} is an assistant message with a tool_result")
        problems += _pairing_problems(messages, i)
    last = messages[-1]
    if last.get("role") == "assistant" and isinstance(last.get("content"), list):
        open_calls = [b.get("id") for b in last["content"] if b.get("type") == "tool_use"]
        if open_calls:
            problems.append(f"the last message calls {open_calls} and nothing answers them")
    return problems


def _pairing_problems(messages: list[dict[str, Any]], i: int) -> list[str]:
    message = messages[i]
    if message.get("role") != "user" or isinstance(message.get("content"), str):
        return []
    previous = messages[i - 1] if i and messages[i - 1].get("role") == "assistant" else None
    calls = [
        b["id"]
        for b in (previous or {}).get("content") or []
        if isinstance(b, dict) and b.get("type") == "tool_use"
    ]
    content = message["content"]
    results = [b.get("tool_use_id") for b in content if b.get("type") == "tool_result"]
    problems: list[str] = []
    leading = 0
    while leading < len(content) and content[leading].get("type") == "tool_result":
        leading += 1
    if leading != len(results):
        problems.append(f"message {i} has a tool_result after other content")
    for call in calls:
        count = results.count(call)
        if count != 1:
            problems.append(f"tool_use {call} is answered {count} times in message {i}")
    for result in results:
        if result not in calls:
            problems.append(f"message {i} answers {result}, which the message before did not call")
    return problems


def assert_api_accepts(messages: list[dict[str, Any]]) -> None:
    problems = api_problems(messages)
    assert not problems, problems
