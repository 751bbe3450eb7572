"""KillShell: stop a background job and every process it started."""

from __future__ import annotations

from adapters.tools.support.tool_base import BackgroundJobTool
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {"shell_id": {"type": "string"}},
    "required": ["shell_id"],
    "additionalProperties": False,
}
DESCRIPTION = """Stop a background job started by Bash with run_in_background (its whole \
process group: SIGTERM, then SIGKILL)."""


class KillShellTool(BackgroundJobTool):
    name = "KillShell"
    description = DESCRIPTION
    input_schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        job = self.jobs.get(args.string("shell_id"))
        before = job.status
        if before != "running":
            return ToolOutcome(
                content=f"{job.id} had already stopped ({before}).",
                summary=f"{job.id} already stopped",
            )
        self.jobs.kill(job)
        return ToolOutcome(
            content=f"Stopped {job.id} ({job.command}).", summary=f"Stopped {job.id}"
        )
