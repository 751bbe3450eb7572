"""/sandbox: the OS sandbox for Bash, its status and boundary, and on/off for this session."""

from __future__ import annotations

from domain.commands.parser import SlashInvocation
from domain.sandbox.errors import SandboxError
from domain.sandbox.status import describe_sandbox
from entrypoints.repl.commands.registry import CommandError, command
from entrypoints.repl.state import ReplState


@command("sandbox", "the OS sandbox for Bash: status, or switch it on/off", "text", "[on|off]")
def sandbox(state: ReplState, invocation: SlashInvocation) -> None:
    box = state.run.sandbox
    if box is None:
        raise CommandError("/sandbox: Bash is not offered in this session")
    choice = invocation.args.strip().lower()
    if choice in ("on", "off"):
        box.switch(choice == "on")
    elif choice:
        raise CommandError(f"/sandbox takes on or off, not {choice!r}")
    unavailable: str | None = None
    plan = None
    if box.enabled:
        try:
            plan = box.prepare()
        except SandboxError as exc:
            unavailable = str(exc)
    for line in describe_sandbox(box.config, unavailable, plan, box.domains):
        state.renderer.info(line)
