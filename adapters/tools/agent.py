"""Agent (formerly Task): hands a task to a subagent and returns its final report.

The subagent itself is built and run by ``adapters/subagents``; this tool checks the input,
offers Claude Code's schema, and lists the agent types in its description.
"""

from __future__ import annotations

from typing import Protocol

from domain.messages.content import JSONObject
from domain.subagents.request import SCHEMA, AgentRequest, parse_request
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome

AGENT_DESCRIPTION = """Launch a subagent: a fresh conversation with its own tools that works \
on one task on its own and returns a final report (the tool's result).
- prompt: the whole task, with every detail the subagent needs; it sees nothing of this \
conversation. Say what to return.
- description: 3 to 5 words naming the task (shown to the user).
- subagent_type: one of the types below (general-purpose when left out).
- model: sonnet, opus or haiku to run the subagent on another model.
- Several Agent calls in one message run at the same time (up to 4): use that for \
independent tasks. The report is not shown to the user: sum up what matters in your answer.
- run_in_background: true starts the subagent and returns at once; you go on working and \
its report arrives later in a <task-notification> message (the answer does not end before \
it does). Leave it out (false) to wait for the report as this tool's result.
- isolation: "worktree" runs the subagent in a fresh git worktree of this repository (a \
clean checkout of the default branch, on a new branch): its changes stay there, and the \
report names the worktree and branch when it changed something. "remote" is not \
available."""


class Launcher(Protocol):
    def launch(self, parent_id: str, request: AgentRequest) -> ToolOutcome: ...

    def agent_listing(self) -> str: ...


class AgentTool:
    name = "Agent"
    aliases = ("Task",)
    # Each call is its own conversation; calls of one message run side by side (bounded),
    # their questions asked one at a time on the main thread.
    concurrency_safe = True

    def __init__(self, launcher: Launcher) -> None:
        self.launcher = launcher

    def definition(self) -> JSONObject:
        listing = self.launcher.agent_listing()
        return {
            "name": self.name,
            "description": f"{AGENT_DESCRIPTION}\n\nAvailable agent types:\n{listing}",
            "input_schema": SCHEMA,
        }

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        # The call itself touches nothing: each of the subagent's own calls is judged by the
        # same permission rules as the parent's.
        return ToolAccess(tool=self.name, kind="none")

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        return self.run_call(ToolCall(id="", name=self.name, input=tool_input))

    def run_call(self, call: ToolCall) -> ToolOutcome:
        request = parse_request(call.input)
        if isinstance(request, str):
            return ToolOutcome(content=request, is_error=True, summary="not run")
        return self.launcher.launch(call.id, request)
