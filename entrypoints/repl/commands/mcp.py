"""/mcp (the session's MCP servers, their status and tools) and each server prompt as
``/mcp__<server>__<prompt> args`` (registered once the servers are connected)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text

from domain.commands.parser import CommandSpec, SlashInvocation, find_command
from domain.context.file_mentions import Attachment, find_mentions
from domain.display.terminal_safety import printable
from domain.mcp.naming import prompt_command
from domain.messages.content import TextBlock
from entrypoints.repl.commands.registry import REGISTRY, CommandError, command
from entrypoints.repl.state import ReplState
from entrypoints.repl.turns import run_content

if TYPE_CHECKING:
    from adapters.mcp.hub import McpHub, PromptInfo


@command("mcp", "the MCP servers of this session: status and tools", "text", "[login NAME]")
def mcp_status(state: ReplState, invocation: SlashInvocation) -> None:
    hub = state.run.mcp
    words = invocation.args.split()
    if words:
        if len(words) != 2 or words[0] != "login":
            raise CommandError("/mcp takes no argument, or login NAME")
        _login(state, words[1])
        return
    if hub is None:
        state.renderer.info(
            "No MCP servers in this session. Add one with `hexclaw mcp add`, or approve the "
            "project's .mcp.json servers (`hexclaw trust approve .mcp.json`)."
        )
        return
    for server in hub.states.values():
        config = server.config
        status = server.status if not server.error else f"{server.status}: {server.error}"
        head = f"{server.name} ({config.transport}, {config.scope}) · {status}"
        state.renderer.print(Text(printable(head), style="bold"))
        state.renderer.print(Text(printable(f"  {config.target}"), style="dim"))
        if server.status == "needs login":
            state.renderer.info(f"  Log in with /mcp login {server.name}")
        for tool in server.tools:
            hint = " (read-only)" if tool.read_only else ""
            first = tool.description.splitlines()[0] if tool.description else ""
            line = f"  {tool.name}{hint}: {first}"
            state.renderer.print(Text(printable(line)[:160]))
        for prompt in server.prompts:
            state.renderer.print(Text(printable(f"  /{prompt_command(server.name, prompt.name)}")))


def _login(state: ReplState, name: str) -> None:
    """Runs the server's OAuth login (URL printed, browser opened), then connects again."""
    from adapters.auth.browser import SystemBrowser
    from adapters.mcp.oauth import LoginWindow, provider_for

    hub = state.run.mcp
    server = hub.states.get(name) if hub is not None else None
    if hub is None or server is None:
        raise CommandError(f"/mcp login: no MCP server named {name} in this session")
    if server.config.transport == "stdio":
        raise CommandError(f"/mcp login: {name} is a stdio server; only remote servers log in")
    window = LoginWindow(state.renderer.info, SystemBrowser().open)
    home = state.ctx.home
    previous = hub.auth
    hub.auth = lambda config, answers: provider_for(
        config, home, window if config.name == name else None, answers
    )
    try:
        after = hub.reconnect(name, timeout=window.timeout)
    finally:
        hub.auth = previous
    if after.status != "connected":
        raise CommandError(f"/mcp login {name} failed: {after.error}")
    state.renderer.info(f"Logged in to {name}: {len(after.tools)} tools.")


def register_mcp_prompts(hub: McpHub | None) -> None:
    """Each connected server's prompts as slash commands (skipped if the name is taken)."""
    if hub is None:
        return
    for prompt in hub.prompts():
        name = prompt_command(prompt.server, prompt.name).lower()
        if find_command(name, REGISTRY.specs) is not None:
            continue
        hint = " ".join(f"<{n}>" if required else f"[{n}]" for n, required in prompt.arguments)
        spec = CommandSpec(
            name,
            prompt.description.splitlines()[0]
            if prompt.description
            else f"MCP prompt of {prompt.server}",
            "text" if prompt.arguments else "none",
            hint,
        )
        REGISTRY.add(spec, _prompt_handler(hub, prompt), custom=True)


def prompt_arguments(prompt: PromptInfo, text: str) -> dict[str, str]:
    """Words in order to the prompt's arguments; the last one takes what is left."""
    words = text.split()
    names = [name for name, _ in prompt.arguments]
    values: dict[str, str] = {}
    for index, name in enumerate(names):
        if index >= len(words):
            break
        values[name] = " ".join(words[index:]) if index == len(names) - 1 else words[index]
    missing = [name for name, required in prompt.arguments if required and name not in values]
    if missing:
        raise CommandError(
            f"/{prompt_command(prompt.server, prompt.name)} needs {', '.join(missing)}"
        )
    return values


def _prompt_handler(
    hub: McpHub, prompt: PromptInfo
) -> Callable[[ReplState, SlashInvocation], None]:
    def run(state: ReplState, invocation: SlashInvocation) -> None:
        from adapters.mcp.hub import McpCallError
        from domain.mcp.results import result_blocks

        try:
            messages = hub.get_prompt(
                prompt.server, prompt.name, prompt_arguments(prompt, invocation.args)
            )
        except McpCallError as exc:
            raise CommandError(f"/{invocation.name}: {exc}") from None
        texts: list[str] = []
        for message in messages:
            content = message.get("content")
            items = content if isinstance(content, list) else [content] if content else []
            for block in result_blocks(items):
                text = block.get("text") if block.get("type") == "text" else "[image]"
                texts.append(str(text))
        if not texts:
            raise CommandError(f"/{invocation.name}: the server's prompt is empty")
        run_content(
            state, [TextBlock("\n\n".join(texts))], f"/{invocation.name} {invocation.args}".rstrip()
        )

    return run


def resource_attachments(state: ReplState, text: str) -> tuple[list[Attachment], list[str]]:
    """``@server:uri`` mentions of a connected server's resources, read and attached (a deny
    rule on ReadMcpResourceTool refuses them, as it would the model's reads)."""
    from adapters.mcp.hub import McpCallError

    hub = state.run.mcp
    attachments: list[Attachment] = []
    notes: list[str] = []
    if hub is None:
        return attachments, notes
    for mention in find_mentions(text):
        server, colon, uri = mention.partition(":")
        connected = hub.states.get(server)
        if not colon or not uri or connected is None or connected.status != "connected":
            continue
        if state.run.policy.tool_disabled("ReadMcpResourceTool"):
            notes.append(f"@{mention} was not attached: a deny rule covers ReadMcpResourceTool")
            continue
        try:
            contents = hub.read_resource(server, uri)
        except McpCallError as exc:
            notes.append(f"@{mention} was not attached: {exc}")
            continue
        parts = [
            str(c["text"]) if isinstance(c.get("text"), str) else f"[binary {c.get('mimeType')}]"
            for c in contents
        ]
        attachments.append(Attachment(mention, "\n".join(parts) or "(empty resource)"))
    return attachments, notes
