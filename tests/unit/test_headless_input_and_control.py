"""Reading stream-json input lines and the control protocol's answers (pure)."""

from __future__ import annotations

import json

import pytest

from domain.headless.control import (
    can_use_tool_request,
    control_error,
    control_success,
    verdict_from_response,
)
from domain.headless.errors import InvalidInputLine
from domain.headless.input_lines import (
    CancelRequest,
    ControlRequest,
    ControlResponse,
    Skipped,
    UserInput,
    parse_input_line,
)
from domain.messages.content import TextBlock, UnknownBlock
from domain.tools.calls import Decision, ToolAccess, ToolCall


def line(obj: object) -> str:
    return json.dumps(obj)


def test_a_user_message_with_text_becomes_one_text_block() -> None:
    parsed = parse_input_line(line({"type": "user", "message": {"content": "hi"}}), 1)
    assert isinstance(parsed, UserInput)
    assert parsed.content == (TextBlock(text="hi"),)


def test_content_blocks_keep_images_and_documents_as_sent() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}}
    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "x"},
    }
    raw = {
        "type": "user",
        "message": {"role": "user", "content": [image, document, {"type": "text", "text": "look"}]},
    }
    parsed = parse_input_line(line(raw), 1)
    assert isinstance(parsed, UserInput)
    assert parsed.content == (
        UnknownBlock(raw=image),
        UnknownBlock(raw=document),
        TextBlock(text="look"),
    )
    assert parsed.raw == raw


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{oops", "not a JSON object"),
        ("[1, 2]", "not a JSON object"),
        (line({"type": "user"}), '"message"'),
        (line({"type": "user", "message": {"role": "assistant", "content": "x"}}), "role"),
        (line({"type": "user", "message": {"content": 5}}), "text or a list"),
        (line({"type": "user", "message": {"content": "  "}}), "empty"),
        (
            line({"type": "user", "message": {"content": [{"type": "tool_result"}]}}),
            "'tool_result'",
        ),
        (line({"type": "user", "message": {"content": [{"type": "image"}]}}), '"source"'),
        (line({"type": "user", "message": {"content": [{"type": "text", "text": 3}]}}), "string"),
        (line({"type": "control_request", "request": {"subtype": "interrupt"}}), "request_id"),
        (line({"type": "control_request", "request_id": "r", "request": {}}), "subtype"),
        (line({"type": "control_response", "response": {"subtype": "success"}}), "request_id"),
    ],
)
def test_a_bad_line_names_its_number_and_what_is_wrong(text: str, why: str) -> None:
    with pytest.raises(InvalidInputLine) as caught:
        parse_input_line(text, 7)
    assert str(caught.value).startswith("stdin line 7: ")
    assert why in str(caught.value)


def test_blank_lines_keep_alives_and_unknown_types() -> None:
    assert parse_input_line("   ", 1) is None
    assert parse_input_line(line({"type": "keep_alive"}), 2) == Skipped(why="")
    skipped = parse_input_line(line({"type": "telemetry"}), 3)
    assert isinstance(skipped, Skipped)
    assert "'telemetry'" in skipped.why


def test_control_lines() -> None:
    request = parse_input_line(
        line(
            {
                "type": "control_request",
                "request_id": "r1",
                "request": {"subtype": "set_model", "model": "m"},
            }
        ),
        1,
    )
    assert request == ControlRequest("r1", "set_model", {"subtype": "set_model", "model": "m"})
    ok = parse_input_line(
        line(
            {
                "type": "control_response",
                "response": {
                    "subtype": "success",
                    "request_id": "p1",
                    "response": {"behavior": "allow"},
                },
            }
        ),
        2,
    )
    assert ok == ControlResponse("p1", True, {"behavior": "allow"})
    failed = parse_input_line(
        line(
            {
                "type": "control_response",
                "response": {"subtype": "error", "request_id": "p2", "error": "boom"},
            }
        ),
        3,
    )
    assert failed == ControlResponse("p2", False, {}, "boom")
    assert parse_input_line(
        line({"type": "control_cancel_request", "request_id": "p3"}), 4
    ) == CancelRequest("p3")


def test_response_shapes_are_claude_codes() -> None:
    assert control_success("r", {"a": 1}) == {
        "type": "control_response",
        "response": {"subtype": "success", "request_id": "r", "response": {"a": 1}},
    }
    assert control_error("r", "no") == {
        "type": "control_response",
        "response": {"subtype": "error", "request_id": "r", "error": "no"},
    }
    call = ToolCall(id="toolu_1", name="Read", input={"file_path": "/etc/hosts"})
    access = ToolAccess("Read", "read", ("/etc/hosts",), outside_workspace=True)
    asked = can_use_tool_request("p1", call, access, Decision("ask", "outside"))
    assert asked == {
        "type": "control_request",
        "request_id": "p1",
        "request": {
            "subtype": "can_use_tool",
            "tool_name": "Read",
            "input": {"file_path": "/etc/hosts"},
            "tool_use_id": "toolu_1",
            "permission_suggestions": [],
            "decision_reason": "outside",
            "blocked_path": "/etc/hosts",
        },
    }


@pytest.mark.parametrize(
    ("response", "verdict", "updated", "interrupt"),
    [
        (ControlResponse("p", True, {"behavior": "allow"}), "allow_once", None, False),
        (
            ControlResponse("p", True, {"behavior": "allow", "updatedInput": {"x": 1}}),
            "allow_once",
            {"x": 1},
            False,
        ),
        (
            ControlResponse(
                "p", True, {"behavior": "allow", "updatedPermissions": [{"type": "addRules"}]}
            ),
            "allow_session",
            None,
            False,
        ),
        (ControlResponse("p", True, {"behavior": "deny", "message": "no"}), "deny", None, False),
        (ControlResponse("p", True, {"behavior": "deny", "interrupt": True}), "deny", None, True),
        (ControlResponse("p", True, {"behavior": "maybe"}), "deny", None, False),
        (ControlResponse("p", False, {}, "crashed"), "deny", None, False),
    ],
)
def test_a_permission_answer_is_an_allow_only_when_it_says_so(
    response: ControlResponse, verdict: str, updated: object, interrupt: bool
) -> None:
    read = verdict_from_response(response)
    assert read.answer.verdict == verdict
    assert read.answer.updated_input == updated
    assert read.interrupt is interrupt
    if verdict == "deny":
        assert read.answer.reason
