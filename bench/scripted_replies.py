"""What the scripted server answers during the CLI benchmarks.

The responders are stateless: they read the request, so any number of side requests
a client sends (a title, a token count) still get a valid stream, and the same
responder serves hexclaw and Claude Code alike.
"""

from __future__ import annotations

from tests.fakes import sse_script
from tests.fakes.anthropic_server import RecordedRequest, Reply

ANSWER = "Hello from the scripted server."
FINAL_ANSWER = "Done: the step counter reached ten."
BASH_CALLS = 10
BASH_COMMAND = "echo step >> steps.txt && wc -l < steps.txt"


def answer(_: RecordedRequest) -> Reply:
    return Reply.sse(sse_script.text_message_events(ANSWER))


def _offers_bash(request: RecordedRequest) -> bool:
    tools = request.body.get("tools")
    if not isinstance(tools, list):
        return False
    return any(isinstance(tool, dict) and tool.get("name") == "Bash" for tool in tools)


def _assistant_turns(request: RecordedRequest) -> int:
    messages = request.body.get("messages")
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def bash_session(request: RecordedRequest) -> Reply:
    """Ten Bash calls, one per model call, then a final answer."""
    done = _assistant_turns(request)
    if _offers_bash(request) and done < BASH_CALLS:
        call = (f"toolu_bench_{done:02d}", "Bash", {"command": BASH_COMMAND, "description": "step"})
        return Reply.sse(
            sse_script.tool_use_events([call], fragment=16, message_id=f"msg_bench_{done:02d}")
        )
    return Reply.sse(sse_script.text_message_events(FINAL_ANSWER))


def offered_tools(requests: list[RecordedRequest]) -> set[str]:
    names: set[str] = set()
    for request in requests:
        tools = request.body.get("tools")
        if isinstance(tools, list):
            names.update(str(t.get("name")) for t in tools if isinstance(t, dict))
    return names
