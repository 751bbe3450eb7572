"""The composition root: the one place that builds adapters and wires them into the domain.

``build_run`` turns a ``config.Config`` and ``config.RunOptions`` into a ``Run`` (the loop, its
permission policy, compactor and session); ``builtin_tools`` is the one list of built-in tools.
Warnings gathered while building go into ``Config.warnings``; ``print_warnings`` prints them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from adapters.anthropic.client import (
    DEFAULT_BASE_URL,
    AnthropicClient,
    ClientConfig,
    make_http_client,
)
from adapters.auth.api_key_helper import ApiKeyHelper
from adapters.auth.chain_auth import ChainAuth
from adapters.auth.credentials_store import CredentialsFile
from adapters.auth.oauth_http import OAuthHttpClient
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.files.memory_files import MemoryFiles
from adapters.files.session_store import SessionStore, StartedSession
from adapters.system.clock import SystemClock
from adapters.system.entropy import SystemRandom
from adapters.system.environment_probe import EnvironmentProbe
from adapters.tools.registry import ListedWhenAsked, ToolRegistry
from domain.auth.api_key_helper_settings import parse_helper_settings
from domain.auth.credential_chain import API_KEY_VAR, AUTH_TOKEN_VAR, Unusable
from domain.auth.errors import OAuthConfigError
from domain.auth.oauth_config import OAuthConfig, parse_oauth_config
from domain.auth.ports import AuthHeaderSource
from domain.auth.token_policy import TokenPolicy
from domain.cassettes.errors import RecordReplayConflict
from domain.context.instruction_memory import LoadedMemory, discovery_plan, load_memory
from domain.context.prompt_secrets import secret_values
from domain.context.system_prompt import (
    SystemPromptInputs,
    build_system_prompt,
    custom_system_prompt,
)
from domain.conversation.compaction_plan import auto_compact_threshold
from domain.conversation.compaction_run import Compactor
from domain.headless.fallback import FallbackClient
from domain.loop.agent_loop import DEFAULT_MAX_TURNS, AgentLoop, LoopSettings
from domain.loop.ports import TurnObserver
from domain.messages.content import JSONObject
from domain.messages.retry_policy import RetryPolicy
from domain.model_catalog import default_max_tokens
from domain.permissions.choices import PolicyChoices, tools_opted_in
from domain.permissions.policy import (
    BYPASS_WARNING,
    PermissionPolicy,
    PermissionRules,
    build_policy,
)
from domain.permissions.ports import PermissionPrompt
from domain.permissions.rules import RuleContext
from domain.reasoning.client import ThinkingClient
from domain.reasoning.plan import ReasoningControls
from domain.repr_base import Record
from domain.sessions.retention import cleanup_days
from domain.stream.ports import ModelClient
from domain.stream.prompt_cache import PrefixCachingClient
from domain.tools.ports import ToolRunner
from domain.web_search.offer import WebSearchClient
from entrypoints import say
from entrypoints.config import Config, RunOptions, number_env, resolve_model
from entrypoints.reasoning_options import reasoning_controls

if TYPE_CHECKING:
    # Login, cassettes and the REPL load what only they need (yaml, filelock, rich,
    # prompt_toolkit), so -p never imports them.
    from adapters.auth.browser import SystemBrowser
    from adapters.auth.loopback_listener import LoopbackListener
    from adapters.cassettes.recorder import RecordingTransport
    from adapters.cassettes.replay import ReplayTransport
    from adapters.checkpoints.recorder import CheckpointRecorder
    from adapters.headless.control_prompt import ControlPrompt
    from adapters.headless.stdio_channel import StdioChannel
    from adapters.headless.turn_interrupt import TurnInterrupter
    from adapters.mcp.hub import McpHub
    from adapters.sandbox.runner import Sandbox
    from adapters.subagents.launcher import SubagentLauncher, WorktreeKit
    from adapters.terminal.permission_menu import PermissionMenu
    from adapters.terminal.renderer import TerminalRenderer
    from adapters.terminal.repl_input import ArgumentValues, PlainInput, ReplInput
    from adapters.tools.concurrent_runs import ThreadedScheduler
    from adapters.tools.registry import Tool
    from adapters.tools.support.question_broker import QuestionBroker
    from adapters.tools.support.workspace import Workspace
    from domain.agents.definitions import AgentDefinition
    from domain.auth.oauth_login import LoginFlow
    from domain.commands.custom import CustomCommand
    from domain.commands.parser import CommandSpec
    from domain.headless.structured_output import StructuredAnswer
    from domain.hooks.dispatch import HookDispatcher
    from domain.skills.definitions import LoadedExtensions
    from domain.trust.ledger import TrustCheck

# The REPL's answer to "run this project item?"; None in print mode, which never asks.
Approver = Callable[["TrustCheck"], bool]


def oauth_config(ctx: Config, port: int | None = None) -> OAuthConfig:
    def source(field: str | None) -> str:
        named = ctx.settings.source_of("oauth", field) if field else None
        return named or ctx.settings.source_of("oauth") or "settings"

    return parse_oauth_config(ctx.settings.get("oauth"), source).with_port(port)


def credentials_store(ctx: Config) -> CredentialsFile:
    return CredentialsFile.in_home(ctx.home)


def build_auth(ctx: Config, check: bool = True) -> ChainAuth:
    """The credential chain; ``check`` fails now, not at the first request, when none is usable."""
    helper = parse_helper_settings(
        ctx.settings.get("apiKeyHelper"),
        ctx.settings.get("apiKeyHelperTtlSeconds"),
        ctx.settings.source_of("apiKeyHelper") or "settings",
        ctx.settings.source_of("apiKeyHelperTtlSeconds") or "settings",
    )
    helper_adapter = (
        None
        if helper is None
        else ApiKeyHelper(helper.command, SystemClock(), ctx.workspace, helper.ttl)
    )
    try:
        config = oauth_config(ctx)
    except OAuthConfigError:
        # The oauth block only shapes the stored login's refresh, which a key from the
        # environment or a helper comes before: a mistake in it is for login to report.
        if helper is None and not (ctx.env(API_KEY_VAR) or ctx.env(AUTH_TOKEN_VAR)):
            raise
        config = OAuthConfig()
    auth = ChainAuth(
        ctx.environ,
        credentials_store(ctx),
        OAuthHttpClient(config, SystemClock()),
        SystemClock(),
        TokenPolicy(config.expiry_margin),
        config.scopes,
        helper_adapter,
    )
    if check and isinstance(result := auth.resolve(), Unusable):
        raise result.error
    return auth


def build_login_flow(ctx: Config, config: OAuthConfig, say: Callable[[str], None]) -> LoginFlow:
    from domain.auth.oauth_login import LoginFlow

    endpoint = OAuthHttpClient(config, SystemClock())
    return LoginFlow(config, endpoint, credentials_store(ctx), SystemRandom(), say)


def build_callback_listener(config: OAuthConfig) -> LoopbackListener:
    from adapters.auth.loopback_listener import LoopbackListener

    return LoopbackListener(
        config.callback_host, config.callback_port, timeout=config.callback_timeout
    )


def build_browser() -> SystemBrowser:
    from adapters.auth.browser import SystemBrowser

    return SystemBrowser()


def build_client(
    ctx: Config,
    options: RunOptions | None = None,
    cassette: RecordingTransport | ReplayTransport | None = None,
) -> AnthropicClient:
    config = ClientConfig(
        base_url=(ctx.env("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        connect_timeout=number_env(ctx, "HEXCLAW_CONNECT_TIMEOUT", 10.0),
        read_timeout=number_env(ctx, "HEXCLAW_READ_TIMEOUT", 600.0),
        retry=RetryPolicy(max_retries=int(number_env(ctx, "HEXCLAW_MAX_RETRIES", 2))),
    )
    if options is not None and options.replay:
        # A replay answers from the cassette: no credentials are needed or sent anywhere.
        auth: AuthHeaderSource = StaticAuthHeaders({"x-api-key": "replay"})
    else:
        # The REPL starts without credentials so that /login can provide them; a turn
        # before that fails with the same one-line error -p gives at startup.
        auth = build_auth(ctx, check=not (options is not None and options.interactive))
    transport = cassette if cassette is not None else build_cassette_transport(ctx, options)
    http = make_http_client(config, transport) if transport is not None else None
    return AnthropicClient(config, auth, SystemRandom(), http=http)


def build_cassette_transport(
    ctx: Config, options: RunOptions | None
) -> RecordingTransport | ReplayTransport | None:
    """``--record FILE`` / ``--replay FILE``: HTTP traffic goes to or comes from a cassette."""
    if options is None or not (options.record or options.replay):
        return None
    if options.record and options.replay:
        raise RecordReplayConflict
    from adapters.cassettes.recorder import RecordingTransport
    from adapters.cassettes.replay import ReplayTransport

    workspace = str(ctx.workspace)
    secrets = secret_values(ctx.environ)
    if options.replay:
        pace = number_env(ctx, "HEXCLAW_REPLAY_PACE", 0.0)
        return ReplayTransport.from_file(
            Path(options.replay), workspace=workspace, pace=pace, secrets=secrets
        )
    return RecordingTransport(Path(str(options.record)), workspace=workspace, secrets=secrets)


@attrs.define(repr=False)
class Run(Record):
    """One run, wired: the loop and the collaborators the entry points use beside it.

    ``session`` changes when the REPL switches to another session (``/clear``, ``/resume``).
    """

    loop: AgentLoop
    policy: PermissionPolicy
    compactor: Compactor
    session: StartedSession
    checkpoints: CheckpointRecorder | None = None
    """None when no tool can change a file, or the workspace is not one to snapshot."""
    sandbox: Sandbox | None = None
    """The OS sandbox Bash runs in (``/sandbox``); None when Bash is not offered, or in print
    mode when the sandbox is off."""
    reasoning: ReasoningControls | None = None
    """How the run thinks (Tab and ``/effort`` change it in the REPL)."""
    mcp: McpHub | None = None
    """The MCP servers (``/mcp``); None when none is configured or tools are not offered."""


def build_run(
    ctx: Config,
    options: RunOptions,
    observer: TurnObserver,
    prompt: PermissionPrompt | None,
    approver: Approver | None = None,
) -> Run:
    """The agent loop for one run; ``prompt`` is None in print mode, where nothing can be asked.
    ``approver`` asks the user about project items that need approval (hooks, skills with
    scripts); without it they are skipped with a warning line each."""
    model = resolve_model(ctx, options.model)
    settings = LoopSettings(
        model=model,
        max_tokens=options.max_tokens or ctx.settings.get("maxTokens") or default_max_tokens(model),
        max_turns=options.max_turns or ctx.settings.get("maxTurns") or DEFAULT_MAX_TURNS,
    )
    reasoning = reasoning_controls(ctx, options)
    cassette = build_cassette_transport(ctx, options)  # the model's and the MCP servers' HTTP
    client: ModelClient = PrefixCachingClient(
        headless_client(build_client(ctx, options, cassette), options, observer, model, reasoning)
    )
    session = open_session(ctx, options)
    permissions = build_permissions(ctx, options)
    # Outermost: the thinking beneath it sees the server tool among the request's tools.
    unsearched, client = client, WebSearchClient(client, permissions)
    compactor = build_compactor(ctx)
    if approver is not None:
        load_extensions(ctx, approver)  # asks about project skills before the tools list them
    registry = build_tools(ctx, options, permissions)
    mcp = build_mcp(ctx, options, registry, permissions, observer, approver, cassette)
    if prompt is None and (options.permission_prompt_tool or "").startswith("mcp__"):
        prompt = mcp_permission_prompt(options.permission_prompt_tool, registry, mcp)
    broker = build_question_broker()
    launcher = add_agent_tool(ctx, options, registry, permissions, broker, approver, unsearched)
    checkpoints = build_checkpoints(ctx, options, session, registry, observer)
    tools: ToolRunner = registry
    if checkpoints is not None:
        from adapters.checkpoints.recorder import FILE_CHANGING_TOOLS, CheckpointingTools

        tools = CheckpointingTools(registry, checkpoints)
        if launcher is not None:
            from adapters.subagents.wrappers import one_at_a_time

            recorded = checkpoints
            launcher.parts.wrap_tools = one_at_a_time(
                FILE_CHANGING_TOOLS, lambda inner: CheckpointingTools(inner, recorded)
            )
            # Background subagents change files while the parent's own calls run: both take
            # turns through the same lock around the checkpoint recorder.
            tools = launcher.parts.wrap_tools(registry)
    loop = AgentLoop(
        client=client,
        tools=tools,
        permissions=permissions,
        prompt=prompt,
        observer=observer,
        settings=settings,
        conversation=session.conversation,
        recorder=session.recorder,
        session_id=session.session_id,
        compactor=compactor,
        hooks=build_hooks(
            ctx, options, observer, permissions, session.session_id, str(session.path), approver
        ),
        scheduler=build_scheduler(ctx, registry, broker),
        background=launcher.background if launcher is not None else None,
    )
    if launcher is not None:
        launcher.attach(loop)
    sandbox = sandbox_in(registry)
    if sandbox is not None and prompt is not None:
        sandbox.ask_domain = _domain_question(prompt, permissions)
    # Read now: the first listing of the tools (next) waits for the MCP servers to start.
    system_prompt = system_prompt_builder(ctx, options, model)
    tool_names = [str(d.get("name")) for d in loop.tools.definitions()]
    loop.settings.system = system_prompt(tool_names)
    listed = extension_listing(ctx, tool_names)
    if listed:
        loop.settings.system.append({"type": "text", "text": listed})
    ctx.warnings.extend(ctx.memory.refusals() if ctx.memory is not None else [])
    return Run(
        loop=loop,
        policy=permissions,
        compactor=compactor,
        session=session,
        checkpoints=checkpoints,
        sandbox=sandbox,
        reasoning=reasoning,
        mcp=mcp,
    )


def build_question_broker() -> QuestionBroker:
    """Where subagents on worker threads queue their permission questions for the main
    thread; the run's scheduler and every subagent share it."""
    from adapters.tools.support.question_broker import QuestionBroker

    return QuestionBroker()


def tool_workers(ctx: Config) -> int:
    from adapters.tools.concurrent_runs import DEFAULT_WORKERS

    return int(number_env(ctx, "CLAUDE_CODE_MAX_TOOL_USE_CONCURRENCY", DEFAULT_WORKERS)) or 1


def build_scheduler(
    ctx: Config, registry: ToolRegistry, broker: QuestionBroker
) -> ThreadedScheduler:
    """Read-only calls (and Agent calls) of one message run concurrently, at most
    ``CLAUDE_CODE_MAX_TOOL_USE_CONCURRENCY`` (default 4) at a time."""
    from adapters.tools.concurrent_runs import ThreadedScheduler

    return ThreadedScheduler(registry, broker, tool_workers(ctx))


def add_agent_tool(
    ctx: Config,
    options: RunOptions,
    registry: ToolRegistry,
    policy: PermissionPolicy,
    broker: QuestionBroker,
    approver: Approver | None,
    client_without_search: ModelClient,
) -> SubagentLauncher | None:
    """The Agent tool, wherever tools are offered (in -p, only after an opt-in) and no bare
    deny rule (``Agent`` or ``Task``) switches it off. Agent types: the built-in ones, then
    the user's files, ``--agents``, the project's files (a later one wins a name)."""
    if not registry.offers_any() or policy.tool_disabled("Agent"):
        return None
    from adapters.subagents.background import BackgroundRuns
    from adapters.subagents.launcher import SubagentLauncher, SubagentParts
    from adapters.subagents.worktrees import GitWorktrees
    from adapters.tools.agent import AgentTool
    from domain.subagents.agents_flag import parse_agents_flag
    from domain.subagents.builtin import BUILTIN_AGENTS
    from domain.subagents.selection import merge_agents, nameable_tools

    flagged = parse_agents_flag(options.agents) if options.agents else []
    # Listed only if an agent file names tools: listing waits for the MCP servers.
    offered = ListedWhenAsked(lambda: nameable_tools(registry.names))
    found = file_agents(ctx, offered, approver)
    agents = merge_agents(
        BUILTIN_AGENTS,
        [a for a in found if a.scope == "user"],
        flagged,
        [a for a in found if a.scope == "project"],
    )
    parts = SubagentParts(
        agents,
        SystemClock(),
        str(ctx.workspace),
        broker,
        tool_workers(ctx),
        client_without_search=client_without_search,
        worktrees=GitWorktrees(str(ctx.workspace), ctx.settings.get("worktree", "baseRef")),
        worktree_kit=lambda root: worktree_kit(ctx, options, policy, registry, root),
    )
    launcher = SubagentLauncher(parts, registry)
    launcher.background = BackgroundRuns(broker)
    registry.add(AgentTool(launcher))
    return launcher


def worktree_kit(
    ctx: Config, options: RunOptions, policy: PermissionPolicy, registry: ToolRegistry, root: str
) -> WorktreeKit:
    """An ``isolation: "worktree"`` subagent's built-in tools and policy: the run's, rooted at
    its worktree (paths, Bash's directory, the sandbox's writable root, protected paths)."""
    from adapters.subagents.launcher import WorktreeKit

    rooted = policy.rooted_at(root)
    inner = ctx.moved_to(Path(root))
    tools = [t for t in builtin_tools(inner, rooted, options) if not rooted.tool_disabled(t.name)]
    sandbox, parents = sandbox_in(ToolRegistry(tools)), sandbox_in(registry)
    if sandbox is not None and parents is not None:
        if sandbox.enabled != parents.enabled:
            sandbox.switch(parents.enabled)  # as --sandbox or /sandbox left the parent's
        sandbox.ask_domain = parents.ask_domain
    return WorktreeKit(tools, rooted)


def build_mcp(
    ctx: Config,
    options: RunOptions,
    registry: ToolRegistry,
    policy: PermissionPolicy,
    observer: TurnObserver,
    approver: Approver | None,
    cassette: RecordingTransport | ReplayTransport | None = None,
) -> McpHub | None:
    """The configured MCP servers that may start, started, their tools in the registry. Print
    mode starts none unless tools are offered (the same opt-in as the built-in tools)."""
    offered = options.interactive or registry.offers_any()
    if not (offered or options.mcp_configs):
        return None  # most -p runs: nothing of MCP is even imported
    from entrypoints.mcp_setup import (
        ask_elicitations,
        attach_tools,
        check_flags,
        servers_to_start,
        start_hub,
    )

    check_flags(options)  # a bad --mcp-config is an error whether or not servers start
    if not offered:
        return None

    def approve(checks: list[TrustCheck]) -> list[TrustCheck]:
        warnings: list[str] = []
        approved = approve_items(ctx, checks, approver, warnings)
        ctx.warnings.extend(warnings)
        return approved

    servers = servers_to_start(ctx, options, approve)
    if not servers:
        return None
    hub = start_hub(ctx, servers, cassette)
    attach_tools(ctx, hub, registry, policy, getattr(observer, "on_progress", None))
    if options.interactive:
        ask_elicitations(hub, observer)
    return hub


def mcp_permission_prompt(
    name: str | None, registry: ToolRegistry, hub: McpHub | None
) -> PermissionPrompt:
    """``--permission-prompt-tool mcp__server__tool``: that tool answers what would ask."""
    from adapters.mcp.permission_prompt import McpPermissionPrompt
    from domain.mcp.errors import PermissionToolMissing

    tool = registry.tool(name or "")
    if tool is None:
        connected = [s.name for s in hub.states.values() if s.status == "connected"] if hub else []
        raise PermissionToolMissing(name or "", ", ".join(connected))
    return McpPermissionPrompt(tool)


def mcp_status_lines(run: Run) -> list[dict[str, str]]:
    """The servers for the headless ``system``/``init`` line: name and status, as Claude Code."""
    if run.mcp is None:
        return []
    return [{"name": s.name, "status": s.status} for s in run.mcp.states.values()]


def build_checkpoints(
    ctx: Config,
    options: RunOptions,
    session: StartedSession,
    tools: ToolRegistry,
    observer: TurnObserver,
) -> CheckpointRecorder | None:
    """The run's checkpoints under ``file-history/<session>/`` in the config home."""
    if not tools.offers_any() or options.no_session_persistence:
        return None
    from adapters.checkpoints.recorder import CheckpointRecorder, history_folder
    from domain.checkpoints.limits import (
        DEFAULT_MAX_BYTES,
        DEFAULT_MAX_FILE_BYTES,
        refused_workspace,
        size_limit,
    )

    refused = refused_workspace(str(ctx.workspace), str(Path.home()))
    if refused is not None:
        ctx.warnings.append(f"no checkpoints (rewind is off): {refused}")
        return None
    return CheckpointRecorder(
        ctx.workspace,
        history_folder(ctx.home, session.session_id),
        SystemClock(),
        max_bytes=size_limit(ctx.settings.get("checkpointMaxBytes"), DEFAULT_MAX_BYTES),
        max_file_bytes=size_limit(
            ctx.settings.get("checkpointMaxFileBytes"), DEFAULT_MAX_FILE_BYTES
        ),
        notice=observer.on_notice,
    )


def headless_client(
    client: AnthropicClient,
    options: RunOptions,
    observer: TurnObserver,
    model: str,
    reasoning: ReasoningControls | None = None,
) -> ModelClient:
    """The client with the headless options: raw stream events to the observer, a fallback
    model after overloads, a budget (outermost, so a fallback call is counted too). Thinking
    is asked for innermost, for the model each request actually goes to."""
    raw_events = getattr(observer, "on_raw_event", None)
    if options.include_partial_messages and raw_events is not None:
        client.on_raw_event = raw_events
    wrapped: ModelClient = client if reasoning is None else ThinkingClient(client, reasoning)
    if options.fallback_model:
        wrapped = FallbackClient(wrapped, options.fallback_model, observer.on_notice)
    if options.max_budget_usd is not None:
        from domain.headless.budget import BudgetedClient, check_priced

        for priced in (model, options.fallback_model):
            if priced:
                check_priced(priced)
        wrapped = BudgetedClient(wrapped, options.max_budget_usd)
    return wrapped


def follow_fallback(loop: AgentLoop) -> str:
    """The model the run is on now: after a ``--fallback-model`` switch the loop takes the
    fallback as its own model, so the result line, the cost and later calls name it."""
    client: object = loop.client
    while client is not None:
        if isinstance(client, FallbackClient) and client.switched_to is not None:
            loop.settings.model = client.switched_to
            break
        client = getattr(client, "inner", None)
    return loop.settings.model


def add_structured_output(loop: AgentLoop, answer: StructuredAnswer) -> None:
    """``--json-schema``: the StructuredOutput tool (offered even where -p offers no other
    tool: it touches nothing) and the instruction to answer through it."""
    from adapters.headless.structured_output_tool import StructuredOutputTool
    from domain.headless.structured_output import SYSTEM_INSTRUCTION

    # The registry may sit inside a wrapper (checkpoints): the tool goes into the registry.
    tools: object = loop.tools
    while not isinstance(tools, ToolRegistry):
        tools = getattr(tools, "tools", None)
        if tools is None:
            raise TypeError("this loop was not built by build_run")
    tools.add(StructuredOutputTool(answer))
    loop.settings.system.append({"type": "text", "text": SYSTEM_INSTRUCTION})


@attrs.frozen(repr=False)
class ExplainParts(Record):
    policy: PermissionPolicy
    tools: ToolRegistry
    locate: Callable[[str, str, str], str]


def build_explain_parts(ctx: Config, options: RunOptions) -> ExplainParts:
    """What ``permissions explain`` needs: the run's policy, every tool (a tool a bare deny
    rule switches off still says what a call would touch) and where rules were written."""
    from adapters.headless.rule_lines import RuleLocator

    policy = build_permissions(ctx, options)
    unfiltered = PermissionPolicy(policy.mode, PermissionRules(), policy.context)
    # Not interactive: explaining a call needs no sandbox started.
    tools = ToolRegistry(builtin_tools(ctx, unfiltered, options._replace(interactive=False)))
    return ExplainParts(policy, tools, RuleLocator(ctx.settings.layers))


def build_stdio_channel(warn: Callable[[str], None]) -> StdioChannel:
    """stdin and stdout as the message channel of ``--input-format stream-json``."""
    from adapters.headless.stdio_channel import StdioChannel

    return StdioChannel(sys.stdin.fileno(), sys.stdout, warn)


def build_turn_interrupter() -> TurnInterrupter:
    from adapters.headless.turn_interrupt import TurnInterrupter

    return TurnInterrupter()


def build_control_prompt(channel: StdioChannel, interrupter: TurnInterrupter) -> ControlPrompt:
    """``--permission-prompt-tool stdio``: the client answers each permission question."""
    from adapters.headless.control_prompt import ControlPrompt

    return ControlPrompt(channel, interrupter.note_client_interrupt)


def print_warnings(ctx: Config) -> None:
    """Print the run's warnings (settings, rules, session, memory), each once, on stderr."""
    for warning in ctx.warnings:
        say.warn(warning)
    ctx.warnings.clear()


def build_hooks(
    ctx: Config,
    options: RunOptions,
    observer: TurnObserver,
    policy: PermissionPolicy,
    session_id: str,
    transcript_path: str,
    approver: Approver | None,
) -> HookDispatcher | None:
    """The settings' hooks; a project file's only once its exact hooks are approved."""
    if not ctx.settings.hook_layers:
        return None  # most runs have none: nothing of hooks is even imported
    from adapters.files.trust_store import load_ledger
    from adapters.hooks.loading import load_hooks
    from adapters.hooks.reporting import LineHookReporter
    from adapters.hooks.runner import HookProcessRunner
    from domain.hooks.dispatch import HookDispatcher

    warnings: list[str] = []
    ledger = load_ledger(ctx.home, warnings)
    loaded = load_hooks(ctx.settings.hook_layers, str(ctx.workspace), ledger)
    warnings.extend(loaded.warnings)
    approved = approve_items(ctx, [p.check for p in loaded.pending], approver, warnings)
    loaded = loaded.with_approved([p for p in loaded.pending if p.check in approved])
    ctx.warnings.extend(warnings)
    return HookDispatcher(
        loaded.hooks,
        HookProcessRunner(str(ctx.workspace), ctx.environ),
        LineHookReporter(observer.on_notice, verbose=options.verbose),
        str(ctx.workspace),
        lambda: policy.mode,
        session_id=session_id,
        transcript_path=transcript_path,
    )


def session_hooks(loop: AgentLoop) -> HookDispatcher | None:
    """The loop's hooks, for the session-level events the entry points fire."""
    if loop.hooks is None:
        return None
    from domain.hooks.dispatch import HookDispatcher

    return loop.hooks if isinstance(loop.hooks, HookDispatcher) else None


def approve_items(
    ctx: Config, checks: Sequence[TrustCheck], approver: Approver | None, warnings: list[str]
) -> list[TrustCheck]:
    """The project items the user approves now (stored, pinned to their content); without an
    approver (print mode) none, and each is named in one warning line."""
    from domain.trust.notices import skipped_line

    if approver is None:
        warnings.extend(skipped_line(check) for check in checks)
        return []
    approved = [check for check in checks if approver(check)]
    if approved:
        from adapters.files.trust_store import approve_now
        from domain.trust.errors import TrustError

        try:
            approve_now(ctx.home, [c.item for c in approved])
        except TrustError as exc:
            warnings.append(f"{exc} (approved for this session only)")
    warnings.extend(skipped_line(check) for check in checks if check not in approved)
    return approved


def _policy_choices(options: RunOptions) -> PolicyChoices:
    return PolicyChoices(options.permission_mode, options.allowed_tools, options.disallowed_tools)


def build_permissions(ctx: Config, options: RunOptions) -> PermissionPolicy:
    """The permission policy from settings and the command line (which adds to them)."""
    context = RuleContext(workspace=str(ctx.workspace), home=str(Path.home()))
    built = build_policy(ctx.settings, _policy_choices(options), context)
    ctx.warnings.extend(built.warnings)
    ctx.permissions = built.policy
    if built.policy.mode == "bypassPermissions":
        ctx.warnings.append(BYPASS_WARNING)
    return built.policy


def mention_check(ctx: Config, policy: PermissionPolicy) -> Callable[[str, bool], str | None]:
    """Whether an ``@path`` typed or pasted in the REPL may be attached: as a Read (or, for a
    folder, an LS) call of the model would be judged, except that what would be asked about
    is refused with a note, since the user did not see a question for it."""
    from adapters.tools.support.workspace import Workspace

    extra = ctx.settings.get("permissions", "additionalDirectories", default=[])
    workspace = Workspace(ctx.workspace, [Path(os.path.expanduser(d)) for d in extra])

    def check(path: str, folder: bool) -> str | None:
        decision = policy.decide(workspace.access("LS" if folder else "Read", "read", path))
        if decision.verdict == "allow":
            return None
        if decision.verdict == "deny":
            return decision.reason
        return f"{decision.reason}; ask the model to read it, and it will ask you"

    return check


def build_tools(ctx: Config, options: RunOptions, policy: PermissionPolicy) -> ToolRegistry:
    """The built-in tools for the workspace, minus those a bare deny rule switches off.

    Print mode offers none unless the user opted in (``--allowedTools``, ``--permission-mode``,
    an allow rule or a default mode in settings), as Claude Code does.
    """
    # A client that answers permission questions (--permission-prompt-tool) has opted in.
    opted_in = options.permission_prompt_tool is not None or tools_opted_in(
        ctx.settings, _policy_choices(options)
    )
    if not options.interactive and not opted_in:
        return ToolRegistry([])
    tools = [*builtin_tools(ctx, policy, options), *extension_tools(ctx, policy)]
    return ToolRegistry([tool for tool in tools if not policy.tool_disabled(tool.name)])


def builtin_tools(
    ctx: Config, policy: PermissionPolicy, options: RunOptions | None = None
) -> list[Tool]:
    """Every built-in tool, in the order offered to the model: the one list of them.
    ``options.add_dirs`` (``--add-dir``) are more writable roots, as ``additionalDirectories``.

    A new tool is added here (and in its own module under ``adapters/tools/``).
    """
    import atexit

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
    from adapters.tools.support.background_jobs import BackgroundJobs
    from adapters.tools.support.file_change import FileChanges
    from adapters.tools.support.file_state import FileStateTracker
    from adapters.tools.support.workspace import Workspace
    from adapters.tools.todo_write import TodoWriteTool
    from adapters.tools.web_fetch import WebFetchTool
    from adapters.tools.write import WriteTool

    add_dirs = options.add_dirs if options is not None else ()
    extra = [*ctx.settings.get("permissions", "additionalDirectories", default=[]), *add_dirs]
    workspace = Workspace(ctx.workspace, [Path(os.path.expanduser(d)) for d in extra])
    files = FileStateTracker()
    changes = FileChanges(workspace, files)
    jobs = BackgroundJobs()
    limits = BashLimits(
        default_timeout=number_env(ctx, "BASH_DEFAULT_TIMEOUT_MS", 120_000) / 1000,
        max_timeout=number_env(ctx, "BASH_MAX_TIMEOUT_MS", 600_000) / 1000,
        output_chars=int(number_env(ctx, "BASH_MAX_OUTPUT_LENGTH", 30_000)),
    )
    sandbox = build_sandbox(ctx, options or RunOptions(), policy, workspace)
    if sandbox is not None:
        # Registered first so it runs last: the jobs inside it stop before its folders go.
        atexit.register(sandbox.close)
    # Background jobs must not outlive hexclaw.
    atexit.register(jobs.stop_all)
    return [
        BashTool(workspace, jobs, limits, sandbox=sandbox),
        BashOutputTool(jobs),
        KillShellTool(jobs),
        ReadTool(workspace, files),
        WriteTool(changes),
        EditTool(changes),
        MultiEditTool(changes),
        NotebookEditTool(changes),
        GlobTool(workspace, policy.hidden_paths),
        GrepTool(workspace, policy.hidden_paths),
        LSTool(workspace, policy.hidden_paths),
        WebFetchTool(),
        TodoWriteTool(),
    ]


def build_sandbox(
    ctx: Config, options: RunOptions, policy: PermissionPolicy, workspace: Workspace
) -> Sandbox | None:
    """The OS sandbox for Bash: always in the REPL (``/sandbox`` can switch it on), in print
    mode only when settings or ``--sandbox`` turn it on."""
    from domain.sandbox.config import parse_sandbox

    parsed = parse_sandbox(
        ctx.settings.get("sandbox"),
        lambda key: ctx.settings.source_of("sandbox", *[k for k in key.split(".") if k]),
        ctx.settings.untrusted_sources,
    )
    ctx.warnings.extend(parsed.warnings)
    config = parsed.config.switched(True) if options.sandbox else parsed.config
    if config.network.allow_unix_sockets and not config.network.allow_all_unix_sockets:
        ctx.warnings.append(
            "sandbox.network.allowUnixSockets cannot be enforced by path on Linux, so those "
            "sockets stay closed; allowAllUnixSockets opens every one"
        )
    if not config.enabled and not options.interactive:
        # Nothing can switch it on later in print mode: spare -p the sandbox's imports.
        return None
    from adapters.sandbox.runner import Sandbox
    from domain.sandbox.plan import PlanInputs

    inputs = PlanInputs(
        workspace=str(workspace.root),
        home=str(Path.home()),
        config_home=str(ctx.home),
        session_tmp="",
        additional_directories=workspace.roots[1:],
        filesystem=config.filesystem,
    )
    # The policy's own rules, live: Read/Edit deny rules and WebFetch allow rules shape the
    # boundary, including those added during the session.
    return Sandbox(config, inputs, ctx.environ.get("PATH"), policy.rules)


def _domain_question(prompt: PermissionPrompt, policy: PermissionPolicy) -> Callable[[str], bool]:
    """Asks, in the REPL, about a host the sandbox's proxy refused; an allow (once or for
    the session) becomes a ``WebFetch(domain:...)`` rule for the session, which the proxy
    reads from the next connection on."""
    from domain.tools.calls import Decision, ToolAccess, ToolCall

    def ask(host: str) -> bool:
        call = ToolCall(id="sandbox-network", name="WebFetch", input={"url": f"https://{host}/"})
        access = ToolAccess(tool="WebFetch", kind="network", domain=host)
        reason = (
            f"a sandboxed command tried to reach {host}, which the sandbox's allowed domains "
            "do not list"
        )
        answer = prompt.ask(call, access, Decision("ask", reason))
        if answer.verdict == "deny":
            return False
        policy.add_rule("allow", f"WebFetch(domain:{host})", "session")
        return True

    return ask


def sandbox_in(registry: ToolRegistry) -> Sandbox | None:
    """The session's sandbox, held by its Bash tool."""
    tool = registry.tool("Bash")
    if tool is None:
        return None  # a run without Bash does not load it
    from adapters.tools.bash import BashTool

    return tool.sandbox if isinstance(tool, BashTool) else None


def load_extensions(ctx: Config, approver: Approver | None = None) -> LoadedExtensions:
    """Read once per run; ``approver`` (the REPL) is asked about project skills with scripts."""
    from adapters.commands.command_files import load_commands
    from adapters.files.trust_store import load_ledger
    from adapters.skills.skill_files import load_skills
    from domain.skills.definitions import LoadedExtensions

    if ctx.extensions is None:
        warnings: list[str] = []
        ledger = load_ledger(ctx.home, warnings)

        def approve(check: TrustCheck) -> bool:
            return bool(approve_items(ctx, [check], approver, []))

        ask = approve if approver is not None else None
        skills = load_skills(ctx.workspace, ctx.home, ledger, warnings, ask)
        commands = load_commands(ctx.workspace, ctx.home, warnings)
        ctx.warnings.extend(warnings)
        ctx.extensions = LoadedExtensions(tuple(skills), tuple(commands.values()))
    return ctx.extensions


def file_agents(
    ctx: Config, known_tools: Collection[str] | None, approver: Approver | None = None
) -> list[AgentDefinition]:
    """The agents of ``.claude/agents`` and the config home, for the subagent runtime; a project
    agent's ``permissionMode`` counts once approved (asked through ``approver``, stored)."""
    from adapters.agents.agent_files import load_agents
    from adapters.files.trust_store import load_ledger

    warnings: list[str] = []
    ledger = load_ledger(ctx.home, warnings)

    def approve(check: TrustCheck) -> bool:
        return bool(approve_items(ctx, [check], approver, []))

    agents = load_agents(
        ctx.workspace,
        ctx.home,
        known_tools,
        ledger,
        warnings,
        approve if approver is not None else None,
    )
    ctx.warnings.extend(warnings)
    return agents


def extension_tools(ctx: Config, policy: PermissionPolicy) -> list[Tool]:
    """Skill (when there are skills or commands) and SlashCommand (when there are commands)."""
    from adapters.tools.skill import SkillTool
    from adapters.tools.slash_command import SlashCommandTool

    found = load_extensions(ctx)
    runner = _command_runner(ctx, policy)

    def grant_read(folder: str) -> None:
        # A loaded skill's own files are readable for the rest of the session.
        policy.add_rule("allow", f"Read(/{folder.rstrip('/')}/**)", source="a loaded skill")

    tools: list[Tool] = []
    if found.skills or found.commands:
        tools.append(SkillTool(found.skills, found.commands, grant_read, runner))
    if found.commands:
        tools.append(SlashCommandTool(found.commands, runner))
    return tools


def _command_runner(ctx: Config, policy: PermissionPolicy) -> Callable[[CustomCommand, str], str]:
    def run(command: CustomCommand, args: str) -> str:
        from adapters.commands.expander import CommandExpander
        from adapters.files.trust_store import load_ledger
        from domain.messages.content import TextBlock

        notes: list[str] = []
        ledger = load_ledger(ctx.home, notes)
        # The model cannot approve a project command or answer a question: no approve, no
        # confirm, so what would need either does not run.
        expansion = CommandExpander(ctx.workspace, policy, ledger).expand(command, args)
        texts = [b.text for b in expansion.content if isinstance(b, TextBlock)]
        return "\n".join([*texts, *notes, *expansion.notes])

    return run


def extension_listing(ctx: Config, tool_names: Sequence[str]) -> str:
    """Names and descriptions of skills and commands, when the model has the tools to use them."""
    if "Skill" not in tool_names:
        return ""
    from domain.skills.definitions import listing

    found = load_extensions(ctx)
    commands = found.commands if "SlashCommand" in tool_names else ()
    return listing(found.skills, commands)


def build_session_store(ctx: Config) -> SessionStore:
    return SessionStore(ctx.home, SystemClock())


def open_session(ctx: Config, options: RunOptions) -> StartedSession:
    """The run's session (new, ``--continue`` or ``--resume``); expired ones are deleted after
    it is chosen, so resuming an old session never deletes it first."""
    store = build_session_store(ctx)
    session = store.start(
        ctx.workspace,
        resume=options.resume,
        continue_latest=options.continue_session,
        persist=not options.no_session_persistence,
        new_id=options.session_id,
        fork=options.fork_session,
    )
    days, problem = cleanup_days(ctx.settings.get("cleanupPeriodDays"))
    if days is not None:
        store.cleanup(days, keep=[session.path])
    ctx.warnings.extend([*session.warnings, *([problem] if problem else [])])
    return session


def clock() -> SystemClock:
    return SystemClock()


REPL_HISTORY_FILE = "hexclaw-repl-history"


@attrs.frozen(repr=False)
class ReplTerminal(Record):
    """The REPL's terminal adapters: output, the permission menu, and where lines come from."""

    renderer: TerminalRenderer
    menu: PermissionMenu | None
    reader: ReplInput | PlainInput


def use_color(ctx: Config, options: RunOptions) -> bool:
    return sys.stdout.isatty() and not ctx.env("NO_COLOR") and not options.no_color


def build_repl_terminal(
    ctx: Config,
    options: RunOptions,
    commands: Sequence[CommandSpec],
    argument_values: ArgumentValues,
    toolbar: Callable[[], str],
    on_tab: Callable[[], None] | None = None,
) -> ReplTerminal:
    """A prompt_toolkit prompt and menu on a terminal; plain lines (nothing asked) otherwise."""
    from rich.console import Console

    from adapters.terminal.permission_menu import PermissionMenu
    from adapters.terminal.renderer import TerminalRenderer
    from adapters.terminal.repl_input import PlainInput, ReplCompleter, ReplInput

    color = use_color(ctx, options)
    console = Console(no_color=not color, highlight=False)
    renderer = TerminalRenderer(
        console,
        SystemClock(),
        show_thinking=ctx.settings.get("showThinking") is True,
        workspace=str(ctx.workspace),
    )
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return ReplTerminal(renderer, None, PlainInput(sys.stdin))
    completer = ReplCompleter(commands, argument_values, ctx.workspace)
    reader = ReplInput(ctx.home / REPL_HISTORY_FILE, completer, toolbar, color, on_tab=on_tab)
    return ReplTerminal(renderer, PermissionMenu(str(ctx.workspace), color), reader)


def load_instruction_memory(ctx: Config) -> LoadedMemory:
    plan = discovery_plan(str(ctx.workspace), str(ctx.home))
    policy = ctx.permissions
    if policy is None:
        # Not built yet (the REPL's /memory before a turn): the settings' rules still hold.
        context = RuleContext(workspace=str(ctx.workspace), home=str(Path.home()))
        policy = build_policy(ctx.settings, PolicyChoices(), context).policy
    denied = policy.hidden_paths("Read")
    return load_memory(plan, MemoryFiles(), home=str(Path.home()), denied=denied)


def system_prompt_for(
    ctx: Config, options: RunOptions, model: str, tool_names: Sequence[str]
) -> list[JSONObject]:
    """hexclaw's system prompt, or ``--system-prompt`` instead; ``--append-system-prompt`` last."""
    return system_prompt_builder(ctx, options, model)(tool_names)


def system_prompt_builder(
    ctx: Config, options: RunOptions, model: str
) -> Callable[[Sequence[str]], list[JSONObject]]:
    """The system prompt once the tools' names are known; what it reads (the instruction
    files, the workspace's git state) is read now."""
    secrets = secret_values(ctx.environ)
    if options.system_prompt is not None:
        ctx.memory = None
        custom = custom_system_prompt(options.system_prompt, options.append_system_prompt, secrets)
        return lambda _tool_names: custom
    ctx.memory = load_instruction_memory(ctx)
    inputs = SystemPromptInputs(
        model=model,
        environment=EnvironmentProbe().probe(ctx.workspace),
        memory=ctx.memory,
        append=options.append_system_prompt,
        secrets=secrets,
    )
    return lambda tool_names: build_system_prompt(
        attrs.evolve(inputs, tool_names=tuple(tool_names)), SystemClock()
    )


def build_compactor(ctx: Config) -> Compactor:
    return Compactor(threshold=auto_compact_threshold(ctx.settings))
