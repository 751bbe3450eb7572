"""``SubagentLauncher``: builds one subagent's loop from its parent's and runs it to its report.

A launcher belongs to one loop (``attach``): the main conversation's, or a subagent's for a
nested one. Everything the subagent shares with its parent is read from that loop when the
call runs (its client, so budgets and the fallback model count subagents too; its policy,
prompt, hooks, model, session log), so a change made in the REPL (``/permissions``,
``/model``, ``/clear``) reaches the next subagent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs

from adapters.files.session_store import SessionFile, iso_time
from adapters.subagents.background import BackgroundRuns
from adapters.subagents.current import working_for
from adapters.subagents.worktrees import GitWorktrees, Worktree, WorktreeUnavailable
from adapters.subagents.wrappers import (
    NullView,
    StoppableClient,
    StoppableTools,
    SubagentHooks,
    SubagentObserver,
    SubagentPrompt,
)
from adapters.tools.agent import AgentTool
from adapters.tools.concurrent_runs import DEFAULT_WORKERS, ThreadedScheduler
from adapters.tools.registry import Tool, ToolRegistry
from adapters.tools.support.question_broker import QuestionBroker
from domain.agents.definitions import AgentDefinition
from domain.loop.agent_loop import AgentLoop, LoopSettings, TurnResult
from domain.messages.content import TextBlock, Usage
from domain.model_catalog import default_max_tokens
from domain.permissions.ports import PermissionDecider
from domain.ports import Clock
from domain.repr_base import Record
from domain.sessions.log import SessionHeader, subagent_entry
from domain.stream.ports import ModelClient
from domain.subagents.builtin import AGENT_TOOL
from domain.subagents.ports import SubagentView
from domain.subagents.read_only import ReadOnlyDecider
from domain.subagents.request import AgentRequest
from domain.subagents.selection import (
    find_agent,
    is_read_only,
    listing,
    offers_web_search,
    subagent_model,
    subagent_tools,
    system_blocks,
)
from domain.subagents.worktree_plan import NEEDS_GIT, kept_line, worktree_note
from domain.tools.calls import ToolOutcome
from domain.tools.ports import InterruptedWithOutcome, ToolRunner
from domain.version import VERSION

BACKGROUND_STARTED = (
    "Async agent launched: the {agent} subagent ({description}) is working in the background "
    "(task id {id}). Go on with other work; its report will arrive in a later message as a "
    "<task-notification> with this task id. Do not do its task yourself meanwhile."
)
NO_REPORT = "(The subagent ended without a final report.)"
INTERRUPTED_REPORT = (
    "The user interrupted this subagent while it was running; it may have partly done its "
    "task (check files it may have changed before relying on them)."
)


@attrs.define(repr=False)
class SubagentParts(Record):
    """What every subagent of a run shares."""

    agents: Mapping[str, AgentDefinition]
    clock: Clock
    cwd: str
    broker: QuestionBroker = attrs.field(factory=QuestionBroker)
    workers: int = DEFAULT_WORKERS
    wrap_tools: Callable[[ToolRunner], ToolRunner] | None = None
    """Checkpoints: a subagent's file changes are recorded like the parent's."""
    client_without_search: ModelClient | None = None
    """The run's model client beneath its web search offer, for an agent whose tools list
    leaves ``WebSearch`` out (budgets and the fallback model still count it)."""
    worktrees: GitWorktrees | None = None
    """Creates and settles the worktrees of ``isolation: "worktree"`` subagents."""
    worktree_kit: Callable[[str], WorktreeKit] | None = None
    """The built-in tools and the permission policy rooted at a worktree (the composition
    root builds them, as it builds the parent's)."""


@attrs.frozen(repr=False)
class WorktreeKit(Record):
    """What a worktree subagent gets in place of its parent's: tools whose paths, working
    directory and sandbox start at the worktree, and the run's policy judging from there."""

    tools: Sequence[Tool]
    permissions: PermissionDecider


class SubagentLauncher:
    def __init__(
        self, parts: SubagentParts, tools: ToolRegistry, depth: int = 0, cwd: str | None = None
    ) -> None:
        self.parts = parts
        self.tools = tools
        self.depth = depth
        self.cwd = cwd or parts.cwd
        """The calling conversation's workspace (a worktree subagent's is its worktree)."""
        self.loop: AgentLoop | None = None
        # Where run_in_background calls run; None (a subagent's own launcher): they wait.
        self.background: BackgroundRuns | None = None

    def attach(self, loop: AgentLoop) -> None:
        self.loop = loop

    def agent_listing(self) -> str:
        return listing(self.parts.agents.values())

    def launch(self, parent_id: str, request: AgentRequest) -> ToolOutcome:
        if request.background and self.background is not None:
            found = find_agent(self.parts.agents, request.subagent_type)
            if isinstance(found, str):
                return ToolOutcome(
                    content=f"Error: {found}", is_error=True, summary="unknown agent"
                )
            waited = attrs.evolve(request, background=False)
            self.background.start(
                parent_id, request.description, lambda: self.launch(parent_id, waited)
            )
            return ToolOutcome(
                content=BACKGROUND_STARTED.format(
                    agent=found.name, description=request.description, id=parent_id
                ),
                summary="started in the background",
            )
        parent = self.loop
        if parent is None:
            raise RuntimeError("the Agent tool's launcher was never attached to a loop")
        agent = find_agent(self.parts.agents, request.subagent_type)
        if isinstance(agent, str):
            return ToolOutcome(content=f"Error: {agent}", is_error=True, summary="unknown agent")
        agent_id = uuid.uuid4().hex[:16]
        worktree: Worktree | None = None
        if request.isolation == "worktree" or agent.isolation == "worktree":
            made = self._worktree(agent_id)
            if isinstance(made, ToolOutcome):
                return made
            worktree = made
        label = f"{agent.name} subagent ({request.description})"
        view: SubagentView = (
            parent.observer if isinstance(parent.observer, SubagentView) else NullView()
        )
        observer = SubagentObserver(view, parent_id, parent.observer.on_notice, label)
        loop = self._build(parent, agent, request, observer, view, label, agent_id, worktree)
        self._link(parent, parent_id, agent, request, agent_id, loop)
        view.subagent_started(parent_id, agent.name, request.description)
        started = self.parts.clock.monotonic()
        try:
            with working_for(parent_id):
                result = loop.run_turn([TextBlock(text=request.prompt)])
        except BaseException:
            # A bug below the subagent's loop: its line leaves the screen all the same.
            view.subagent_finished(parent_id, ToolOutcome(content="", is_error=True))
            if worktree is not None and self.parts.worktrees is not None:
                self.parts.worktrees.settle(worktree)
            raise
        finally:
            if isinstance(loop.recorder, SessionFile):
                loop.recorder.close()
        seconds = self.parts.clock.monotonic() - started
        outcome = _outcome(result, loop.settings.model, observer.tool_uses, seconds, agent_id)
        worktrees = self.parts.worktrees
        if worktree is not None and worktrees is not None and worktrees.settle(worktree):
            outcome = _with_line(outcome, kept_line(worktree.path, worktree.branch))
        view.subagent_finished(parent_id, outcome)
        if result.subtype == "interrupted":
            # The turn stops here too; the call is answered with what the subagent got to.
            raise InterruptedWithOutcome(outcome)
        return outcome

    def _worktree(self, agent_id: str) -> Worktree | ToolOutcome:
        if self.parts.worktrees is None or self.parts.worktree_kit is None:
            why = "this run has no worktree support"
        else:
            try:
                return self.parts.worktrees.create(agent_id, self.cwd)
            except WorktreeUnavailable as exc:
                why = str(exc)
        return ToolOutcome(
            content=NEEDS_GIT.format(why=why), is_error=True, summary="no git repository"
        )

    def _build(
        self,
        parent: AgentLoop,
        agent: AgentDefinition,
        request: AgentRequest,
        observer: SubagentObserver,
        view: SubagentView,
        label: str,
        agent_id: str,
        worktree: Worktree | None = None,
    ) -> AgentLoop:
        depth = self.depth + 1
        names = subagent_tools(agent, self.tools.names, depth)
        decider: PermissionDecider = parent.permissions
        own: dict[str, Tool] = {}
        cwd = self.cwd
        notes: list[str] = []
        if worktree is not None and self.parts.worktree_kit is not None:
            kit = self.parts.worktree_kit(worktree.path)
            own = {tool.name: tool for tool in kit.tools}
            decider = kit.permissions
            cwd = worktree.path
            notes.append(worktree_note(worktree.path, worktree.branch))
        chosen: list[Tool] = []
        for name in names:
            if name in own:
                chosen.append(own[name])
                continue
            tool = self.tools.tool(name)
            if tool is not None and name != AGENT_TOOL:
                # A tool with per-conversation state (Bash's working directory) gives the
                # subagent its own.
                fork = getattr(tool, "for_subagent", None)
                chosen.append(fork() if fork is not None else tool)
        registry = ToolRegistry(chosen)
        nested: SubagentLauncher | None = None
        if AGENT_TOOL in names:
            nested = SubagentLauncher(self.parts, registry, depth, cwd)
            registry.add(AgentTool(nested))
        tools: ToolRunner = StoppableTools(registry)
        if self.parts.wrap_tools is not None:
            tools = self.parts.wrap_tools(tools)
        if is_read_only(agent):
            decider = ReadOnlyDecider(decider, agent.name)
        model = subagent_model(request.model, agent, parent.settings.model)
        max_tokens = (
            parent.settings.max_tokens
            if model == parent.settings.model
            else default_max_tokens(model)
        )
        client = parent.client
        if not offers_web_search(agent) and self.parts.client_without_search is not None:
            client = self.parts.client_without_search
        loop = AgentLoop(
            client=StoppableClient(client),
            tools=tools,
            permissions=decider,
            prompt=_prompt_for(parent, self.parts, label, view),
            observer=observer,
            settings=LoopSettings(
                model=model,
                max_tokens=max_tokens,
                max_turns=parent.settings.max_turns,
                system=system_blocks(agent, cwd, notes),
            ),
            recorder=self._transcript(parent, agent_id, cwd),
            session_id=f"agent-{agent_id}",
            hooks=_subagent_hooks(parent, worktree),
            scheduler=ThreadedScheduler(registry, self.parts.broker, self.parts.workers),
        )
        if nested is not None:
            nested.attach(loop)
        return loop

    def _transcript(self, parent: AgentLoop, agent_id: str, cwd: str) -> SessionFile | None:
        recorder = parent.recorder
        if not isinstance(recorder, SessionFile):
            return None  # --no-session-persistence: nothing is written
        path = transcript_path(recorder.path, agent_id)
        header = SessionHeader(
            session_id=f"agent-{agent_id}",
            cwd=cwd,
            started_at=iso_time(self.parts.clock.now()),
            version=VERSION,
        )
        return SessionFile(path, self.parts.clock, header)

    def _link(
        self,
        parent: AgentLoop,
        parent_id: str,
        agent: AgentDefinition,
        request: AgentRequest,
        agent_id: str,
        loop: AgentLoop,
    ) -> None:
        if parent.recorder is None or not isinstance(loop.recorder, SessionFile):
            return
        base = loop.recorder.path
        where = (
            str(base.relative_to(parent.recorder.path.parent))
            if isinstance(parent.recorder, SessionFile)
            else str(base)
        )
        parent.recorder.append(
            subagent_entry(parent_id, agent_id, agent.name, request.description, where)
        )


def transcript_path(parent_log: Path, agent_id: str) -> Path:
    """``<session>/subagents/agent-<id>.jsonl`` beside the session log; a nested subagent's
    goes in the same folder as its parent's."""
    if parent_log.parent.name == "subagents":
        folder = parent_log.parent
    else:
        folder = parent_log.with_suffix("") / "subagents"
    return folder / f"agent-{agent_id}.jsonl"


def _prompt_for(
    parent: AgentLoop, parts: SubagentParts, label: str, view: SubagentView
) -> SubagentPrompt | None:
    """The user's own prompt (not a nested subagent's wrapper of it), naming this agent."""
    base = parent.prompt
    while isinstance(base, SubagentPrompt):
        base = base.inner
    return None if base is None else SubagentPrompt(base, parts.broker, label, view)


def _subagent_hooks(parent: AgentLoop, worktree: Worktree | None) -> SubagentHooks | None:
    """The parent's hooks for a subagent; a worktree subagent's run from its worktree."""
    hooks = parent.hooks
    if hooks is None:
        return None
    if isinstance(hooks, SubagentHooks):
        if worktree is None:
            return hooks
        hooks = hooks.inner
    for_subagent = getattr(hooks, "for_subagent", None)
    if for_subagent is None:
        return SubagentHooks(hooks)
    return SubagentHooks(for_subagent() if worktree is None else for_subagent(worktree.path))


def _with_line(outcome: ToolOutcome, line: str) -> ToolOutcome:
    if isinstance(outcome.content, str):
        return attrs.evolve(outcome, content=f"{outcome.content}\n\n{line}")
    return attrs.evolve(outcome, content=[*outcome.content, {"type": "text", "text": line}])


def _outcome(
    result: TurnResult, model: str, tool_uses: int, seconds: float, agent_id: str
) -> ToolOutcome:
    own = Usage()
    for usage in result.call_usages:
        own = own + usage
    spent = ((model, own), *result.subagent_usages)
    summary = f"Done ({tool_uses} tool use{'s' if tool_uses != 1 else ''} · {seconds:.1f}s)"
    report = result.final_text.strip() or NO_REPORT
    total = result.usage
    structured = {
        "status": "completed" if not result.is_error else "failed",
        "agentId": agent_id,
        "content": [{"type": "text", "text": report}],
        "totalDurationMs": int(seconds * 1000),
        "totalTokens": total.input_tokens + total.output_tokens,
        "totalToolUseCount": tool_uses,
    }
    if result.subtype == "interrupted":
        last = result.final_text.strip()
        return ToolOutcome(
            content=INTERRUPTED_REPORT + (f" Its last text:\n{last}" if last else ""),
            is_error=True,
            summary="interrupted",
            structured={**structured, "status": "interrupted"},
            subagent_usages=spent,
        )
    if result.subtype == "success":
        return ToolOutcome(
            content=report, summary=summary, structured=structured, subagent_usages=spent
        )
    why = str(result.error) if result.error is not None else result.subtype
    return ToolOutcome(
        content=f"The subagent stopped before finishing ({why}). Its last text:\n{report}",
        is_error=True,
        summary=f"failed: {why}"[:90],
        structured=structured,
        subagent_usages=spent,
    )
