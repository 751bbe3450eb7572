"""``AnswerWatch``: a streamable HTTP POST's event stream passed on whole event by whole event,
and whether it may be ended with the request's error (no answer came, nothing to resume)."""

from __future__ import annotations

import json

from domain.mcp.answer_watch import AnswerWatch, as_event

PROGRESS = (
    b"event: message\r\n"
    b'data: {"jsonrpc":"2.0","method":"notifications/progress",'
    b'"params":{"progressToken":7,"progress":1}}\r\n\r\n'
)
OTHER_ANSWER = b'event: message\ndata: {"jsonrpc":"2.0","id":8,"result":{}}\n\n'
ANSWER = b'event: message\r\ndata: {"jsonrpc":"2.0","id":7,"result":{"content":[]}}\r\n\r\n'
ERROR = {"jsonrpc": "2.0", "id": 7, "error": {"code": -32000, "message": "Connection closed"}}


def test_whole_events_pass_unchanged_however_the_stream_is_cut() -> None:
    stream = PROGRESS + b": a comment\r\r" + OTHER_ANSWER + ANSWER
    for cut in range(1, len(stream)):
        for second in (cut, min(len(stream), cut + 3)):
            watch = AnswerWatch(7)
            passed = watch.feed(stream[:cut]) + watch.feed(stream[cut:second])
            passed += watch.feed(stream[second:])
            assert passed == stream, (cut, second)
            assert watch.answered


def test_an_unfinished_event_is_held_back() -> None:
    watch = AnswerWatch(7)
    assert watch.feed(PROGRESS + ANSWER[:30]) == PROGRESS
    # Half of a "\r\n" ending the blank line: the event is not whole yet.
    assert watch.feed(ANSWER[30:-1]) == b""
    assert not watch.answered
    assert watch.feed(ANSWER[-1:]) == ANSWER
    assert watch.answered


def test_a_stream_without_the_answer_ends_with_the_given_error_once() -> None:
    watch = AnswerWatch(7)
    watch.feed(PROGRESS + OTHER_ANSWER + ANSWER[:40])
    assert not watch.answered
    ending = watch.ending(ERROR)
    assert ending == as_event(ERROR)
    data = ending.decode().split("data: ", 1)[1]
    assert json.loads(data) == ERROR
    assert watch.ending(ERROR) == b""


def test_an_answered_stream_gets_no_error() -> None:
    watch = AnswerWatch(7)
    watch.feed(ANSWER)
    assert watch.ending(ERROR) == b""
    error_answer = b'data: {"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"no"}}\n\n'
    other = AnswerWatch(7)
    other.feed(error_answer)
    assert other.answered


def test_a_stream_with_an_event_id_is_left_to_the_sdk_to_resume() -> None:
    watch = AnswerWatch(7)
    watch.feed(b"id: 3_1\r\nevent: message\r\ndata: \r\n\r\n")
    assert watch.resumable
    watch.feed(b"id: 3_2\nevent: message\ndata: {}\n\n: a comment, no id\n\n")
    assert watch.last_event_id == "3_2"  # where the SDK resumes from
    assert watch.ending(ERROR) == b""


def test_a_resumed_stream_stays_resumable_from_where_it_started() -> None:
    watch = AnswerWatch(7, resumes_from="3_2")
    watch.feed(PROGRESS)  # no id: the SDK would resume from 3_2 again
    assert watch.last_event_id == "3_2"
    assert watch.ending(ERROR) == b""


def test_what_is_not_the_answer_does_not_count_as_one() -> None:
    for event in (
        OTHER_ANSWER,
        PROGRESS,
        b'event: other\ndata: {"jsonrpc":"2.0","id":7,"result":{}}\n\n',
        b'data: {"jsonrpc":"2.0","id":7,"method":"ping"}\n\n',
        b"data: {not json\n\n",
    ):
        watch = AnswerWatch(7)
        assert watch.feed(event) == event
        assert not watch.answered, event
