"""/hooks, /agents, /trust, the custom commands from files, and the questions the REPL asks
about what a project brings (hooks, a command's !`cmd`, skills with scripts).

A custom command is registered like any other (so ``/help``, Tab and dispatch know it) when
the REPL starts, unless a built-in command already has its name: the built-in wins, with a
warning.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from adapters.terminal.renderer import TerminalRenderer
from adapters.terminal.yes_no import ask_yes_no
from domain.commands.custom import CustomCommand
from domain.commands.parser import CommandSpec, SlashInvocation, find_command
from domain.display.terminal_safety import printable
from domain.hooks.config import describe_hooks
from domain.hooks.dispatch import HookDispatcher
from domain.loop.agent_loop import AgentLoop
from domain.permissions.ports import PermissionPrompt
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall
from domain.trust.ledger import TrustCheck
from domain.trust.notices import approval_prompt
from entrypoints.bootstrap import session_hooks
from entrypoints.config import Config
from entrypoints.repl.commands.registry import REGISTRY, command
from entrypoints.repl.state import ReplState
from entrypoints.repl.turns import run_content


def approver(renderer: TerminalRenderer) -> Callable[[TrustCheck], bool]:
    """Shows exactly what would run (or what changed since the approval) and asks."""

    def ask(check: TrustCheck) -> bool:
        renderer.print(Text(printable(approval_prompt(check))))
        return ask_yes_no("Approve this exact content (asked again if it changes)?")

    return ask


def confirm_bang(renderer: TerminalRenderer) -> Callable[[str, Decision], bool]:
    def ask(line: str, decision: Decision) -> bool:
        renderer.print(Text(printable(f"The command wants to run: {line}\n({decision.reason})")))
        return ask_yes_no("Run it?")

    return ask


class NotifyingPrompt:
    """The permission menu, with the Notification hook fired before it asks."""

    def __init__(self, prompt: PermissionPrompt, hooks: HookDispatcher) -> None:
        self._prompt = prompt
        self._hooks = hooks

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        self._hooks.notification(
            f"Claude needs your permission to use {call.name}", "permission_prompt"
        )
        return self._prompt.ask(call, access, decision)


def wire_hooks(loop: AgentLoop) -> HookDispatcher | None:
    hooks = session_hooks(loop)
    if hooks is not None and loop.prompt is not None:
        loop.prompt = NotifyingPrompt(loop.prompt, hooks)
    return hooks


def register_custom_commands(ctx: Config) -> None:
    """Adds the custom commands of the user and the project to the registry."""
    from adapters.commands.command_files import load_commands

    for custom in load_commands(ctx.workspace, ctx.home, ctx.warnings).values():
        name = custom.name.lower()
        if find_command(name, REGISTRY.specs) is not None:
            if not REGISTRY.is_custom(name):
                ctx.warnings.append(f"{custom.source} is not used: /{name} is a built-in command")
            continue
        spec = CommandSpec(
            name, custom.label, "text" if custom.argument_hint else "none", custom.argument_hint
        )
        REGISTRY.add(spec, _custom_handler(custom), custom=True)


def _custom_handler(custom: CustomCommand) -> Callable[[ReplState, SlashInvocation], None]:
    def run(state: ReplState, invocation: SlashInvocation) -> None:
        from entrypoints.custom_commands import expand_command

        renderer = state.renderer
        content = expand_command(
            state.ctx,
            state.run.policy,
            state.loop,
            custom,
            invocation.args,
            renderer.on_notice,
            approve=approver(renderer),
            confirm=confirm_bang(renderer),
        )
        run_content(state, content, f"/{invocation.name} {invocation.args}".rstrip())

    return run


@command("hooks", "the hooks that run, with the file each came from")
def hooks_list(state: ReplState, _: SlashInvocation) -> None:
    hooks = session_hooks(state.loop)
    if hooks is not None and hooks.hooks.disabled:
        state.renderer.info("Hooks are switched off (disableAllHooks).")
        return
    if hooks is None or not hooks.hooks.commands:
        state.renderer.info("No hooks run in this session.")
        return
    by_source: dict[str, list[str]] = {}
    for hook in hooks.hooks.commands:
        by_source.setdefault(hook.source, []).append(describe_hooks([hook]))
    for source, lines in by_source.items():
        state.renderer.print(Text(printable(source), style="bold"))
        for line in lines:
            state.renderer.print(Text(printable(line)))


@command("agents", "the agents defined in files")
def agents_list(state: ReplState, _: SlashInvocation) -> None:
    from adapters.agents.agent_files import load_agents
    from domain.subagents.selection import nameable_tools

    warnings: list[str] = []
    names = [str(d.get("name")) for d in state.loop.tools.definitions()]
    known = nameable_tools(names) if names else None
    agents = load_agents(state.ctx.workspace, state.ctx.home, known, warnings=warnings)
    for warning in warnings:
        state.renderer.on_notice(warning)
    if not agents:
        state.renderer.info("No agents in .claude/agents or the config home's agents folder.")
        return
    for agent in agents:
        mode = f" · permissionMode {agent.permission_mode}" if agent.permission_mode else ""
        model = f" · model {agent.model}" if agent.model else ""
        line = f"{agent.listing_line()}  [{agent.scope}: {agent.source}]{model}{mode}"
        state.renderer.print(Text(printable(line)))


@command("trust", "approvals of this folder's hooks, commands, skills and agents")
def trust_list(state: ReplState, _: SlashInvocation) -> None:
    from adapters.files.trust_store import load_ledger, workspace_key
    from domain.trust.notices import KIND_NAMES
    from entrypoints.trust_commands import project_trust_items

    ctx = state.ctx
    warnings: list[str] = []
    ledger = load_ledger(ctx.home, warnings)
    for warning in warnings:
        state.renderer.on_notice(warning)
    items = project_trust_items(ctx.workspace, ctx.home)
    if not items:
        state.renderer.info(f"Nothing in {workspace_key(ctx.workspace)} needs approval.")
        return
    for item in items:
        verdict = ledger.check(item).verdict
        line = f"{verdict:<10}  {KIND_NAMES[item.kind]} {item.item_id}"
        state.renderer.print(Text(printable(line)))
