"""BashOutput: what a background job has printed since the last look, and whether it still runs."""

from __future__ import annotations

import re

from adapters.tools.support.tool_base import BackgroundJobTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

OUTPUT_CHARS = 30_000
SCHEMA: JSONObject = {
    "type": "object",
    "properties": {"bash_id": {"type": "string"}, "filter": {"type": "string"}},
    "required": ["bash_id"],
    "additionalProperties": False,
}
DESCRIPTION = """Read the new output of a background job started by Bash with \
run_in_background, and its status (running, exited with a code, killed).
- Each call returns only what was printed since the previous call.
- filter: a regular expression; only matching lines are returned (the others are still \
consumed)."""


class BashOutputTool(BackgroundJobTool):
    name = "BashOutput"
    description = DESCRIPTION
    input_schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        job = self.jobs.get(args.string("bash_id"))
        pattern = args.optional_string("filter")
        try:
            matcher = re.compile(pattern) if pattern else None
        except re.error as exc:
            raise ToolError(f"filter is not a valid regular expression: {exc}") from None
        status = job.status
        text, size = self.jobs.read_new(job, OUTPUT_CHARS)
        if matcher is not None:
            text = "\n".join(line for line in text.splitlines() if matcher.search(line))
        body = text.rstrip("\n") or "(no new output)"
        return ToolOutcome(
            content=f"[{job.id}: {status}]\n{body}",
            summary=f"{job.id}: {status}, {size:,} new bytes",
            structured={"shellId": job.id, "status": status},
        )
