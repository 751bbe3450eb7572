"""How one Bash call runs when the sandbox is on: confined, or outside it for a reason.

- ``sandboxed``: the default; auto-allowed when the configuration says so (deny and ask
  rules still apply first, in the permission policy);
- ``excluded``: the whole command line is covered by ``excludedCommands`` (entries in
  Bash-rule syntax, ``docker:*``); it runs outside under the normal permission rules, never
  auto-allowed, and the next command is confined again. A line that is only partly covered
  (``docker ps && rm -rf ~``), or that the splitter cannot fully read, stays confined;
- ``unsandboxed``: the model asked with ``dangerouslyDisableSandbox`` and
  ``allowUnsandboxedCommands`` permits it: a normal permission question, never silent;
- ``plain``: the sandbox is off.
"""

from __future__ import annotations

from typing import Literal

import attrs

from domain.permissions.rules import (
    InvalidPermissionRule,
    RuleContext,
    covering_rule,
    parse_rule,
)
from domain.repr_base import Record
from domain.sandbox.config import SandboxConfig
from domain.tools.calls import ToolAccess

RouteKind = Literal["sandboxed", "excluded", "unsandboxed", "plain"]


@attrs.frozen(repr=False)
class Route(Record):
    kind: RouteKind
    reason: str = ""

    @property
    def confined(self) -> bool:
        return self.kind == "sandboxed"


def route_command(
    config: SandboxConfig, command: str, disable_requested: bool, context: RuleContext
) -> Route:
    if not config.enabled:
        return Route("plain")
    if disable_requested and config.allow_unsandboxed_commands:
        return Route("unsandboxed", "the model asked to run it outside the sandbox")
    entry = excluded_entry(config.excluded_commands, command, context)
    if entry is not None:
        return Route("excluded", f"sandbox.excludedCommands has {entry!r}")
    return Route("sandboxed")


def excluded_entry(entries: tuple[str, ...], command: str, context: RuleContext) -> str | None:
    """The ``excludedCommands`` entry that covers the whole command line, if one does."""
    access = ToolAccess(tool="Bash", kind="execute", command=command)
    for entry in entries:
        try:
            rule = parse_rule(f"Bash({entry})", "sandbox.excludedCommands")
        except InvalidPermissionRule:
            continue
        if rule.specifier is None:
            # "*" would exclude everything: the sandbox would be on in name only.
            continue
        if covering_rule([rule], access, context) is not None:
            return entry
    return None
