"""What the command line says about permissions, and whether print mode offers tools at all.

Apart from the policy so that print mode can decide, before the policy's modules (the rule
parser, the shell reader) are loaded, whether this run starts its MCP servers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from domain.settings.merge import Settings


class PolicyChoices(NamedTuple):
    """What the command line says about permissions for this run."""

    mode: str | None = None
    allowed: tuple[str, ...] = ()
    disallowed: tuple[str, ...] = ()


def tools_opted_in(settings: Settings, choices: PolicyChoices) -> bool:
    """Whether print mode offers tools: only when the user asked for them, as Claude Code does."""
    return bool(choices.allowed or choices.mode or settings.user_asked_for_tools)
