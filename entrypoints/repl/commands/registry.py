"""The registry of slash commands, and the decorator that adds one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from domain.commands.parser import (
    ArgumentKind,
    CommandSpec,
    SlashInvocation,
    find_command,
    nearest_command,
)
from domain.errors import HexclawError
from domain.repr_base import Record
from entrypoints.repl.state import ReplState

Handler = Callable[[ReplState, SlashInvocation], None]


class CommandError(HexclawError):
    """A slash command could not do what was asked."""


class UnknownCommand(CommandError):
    def __init__(self, name: str, suggestion: str | None) -> None:
        hint = f"; did you mean /{suggestion}?" if suggestion else "; /help lists the commands"
        super().__init__(f"unknown command /{name}{hint}")


class CommandUnavailable(CommandError):
    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"/{name} is not available in this build: {why}")


@attrs.frozen(repr=False)
class SlashCommand(Record):
    spec: CommandSpec
    handler: Handler


class CommandRegistry:
    """Commands in the order they were added: the order ``/help`` lists them."""

    def __init__(self) -> None:
        self._commands: dict[str, SlashCommand] = {}
        # Names added from command files (``.claude/commands``), not built in.
        self._custom: set[str] = set()

    def command(
        self,
        name: str,
        summary: str,
        argument: ArgumentKind = "none",
        argument_hint: str = "",
        aliases: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare the decorated function as the handler of ``/name``."""

        def register(handler: Handler) -> Handler:
            self.add(CommandSpec(name, summary, argument, argument_hint, aliases), handler)
            return handler

        return register

    def add(self, spec: CommandSpec, handler: Handler, custom: bool = False) -> None:
        if spec.name in self._commands:
            raise ValueError(f"/{spec.name} is registered twice")
        self._commands[spec.name] = SlashCommand(spec, handler)
        if custom:
            self._custom.add(spec.name)

    def is_custom(self, name: str) -> bool:
        return name in self._custom

    @property
    def specs(self) -> Sequence[CommandSpec]:
        return tuple(command.spec for command in self._commands.values())

    def run(self, state: ReplState, invocation: SlashInvocation) -> None:
        spec = find_command(invocation.name, self.specs)
        if spec is None:
            raise UnknownCommand(invocation.name, nearest_command(invocation.name, self.specs))
        self._commands[spec.name].handler(state, invocation)


REGISTRY = CommandRegistry()
command = REGISTRY.command
