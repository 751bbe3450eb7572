"""The real tools over a real workspace directory, for the tool integration tests."""

from __future__ import annotations

from pathlib import Path

from adapters.subagents.launcher import SubagentLauncher, SubagentParts
from adapters.system.clock import SystemClock
from adapters.tools.agent import AgentTool
from adapters.tools.bash import BashLimits, BashTool
from adapters.tools.bash_output import BashOutputTool
from adapters.tools.edit import EditTool
from adapters.tools.glob import GlobTool
from adapters.tools.grep import GrepTool
from adapters.tools.kill_shell import KillShellTool
from adapters.tools.ls import LSTool
from adapters.tools.multi_edit import MultiEditTool
from adapters.tools.notebook_edit import NotebookEditTool
from adapters.tools.read import ReadTool
from adapters.tools.registry import ToolRegistry
from adapters.tools.support.background_jobs import BackgroundJobs
from adapters.tools.support.file_change import FileChanges
from adapters.tools.support.file_state import FileStateTracker
from adapters.tools.support.workspace import Workspace
from adapters.tools.todo_write import TodoWriteTool
from adapters.tools.web_fetch import WebFetchTool
from adapters.tools.write import WriteTool
from domain.subagents.builtin import BUILTIN_AGENTS
from domain.subagents.selection import merge_agents
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome


class Harness:
    def __init__(self, root: Path, limits: BashLimits | None = None) -> None:
        self.root = root
        self.workspace = Workspace(root)
        files = FileStateTracker()
        changes = FileChanges(self.workspace, files)
        self.jobs = BackgroundJobs(grace=0.5)
        self.bash = BashTool(self.workspace, self.jobs, limits or BashLimits(kill_grace=0.5))
        self.todo = TodoWriteTool()
        self.registry = ToolRegistry(
            [
                self.bash,
                BashOutputTool(self.jobs),
                KillShellTool(self.jobs),
                ReadTool(self.workspace, files),
                WriteTool(changes),
                EditTool(changes),
                MultiEditTool(changes),
                NotebookEditTool(changes),
                GlobTool(self.workspace),
                GrepTool(self.workspace),
                LSTool(self.workspace),
                WebFetchTool(),
                self.todo,
            ]
        )
        # Agent runs subagents over these tools once a loop is attached (``attach``).
        self.launcher = SubagentLauncher(
            SubagentParts(merge_agents(BUILTIN_AGENTS), SystemClock(), str(root)), self.registry
        )
        self.registry.add(AgentTool(self.launcher))
        self._ids = 0

    def call(self, name: str, tool_input: dict[str, object]) -> ToolCall:
        self._ids += 1
        return ToolCall(id=f"toolu_{self._ids}", name=name, input=tool_input)

    def access(self, name: str, **tool_input: object) -> ToolAccess:
        return self.registry.access_of(self.call(name, tool_input))

    def run(self, name: str, **tool_input: object) -> ToolOutcome:
        """As the agent loop does it: what the call touches first, then the call."""
        call = self.call(name, tool_input)
        self.registry.access_of(call)
        return self.registry.run(call)

    def text(self, name: str, **tool_input: object) -> str:
        outcome = self.run(name, **tool_input)
        assert isinstance(outcome.content, str)
        return outcome.content

    def close(self) -> None:
        self.jobs.stop_all()
