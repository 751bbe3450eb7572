"""Deciding about a tool call, and asking the user when the policy says ask."""

from __future__ import annotations

from typing import Protocol

from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall


class PermissionDecider(Protocol):
    def decide(self, access: ToolAccess) -> Decision: ...

    def allow_for_session(self, access: ToolAccess) -> None:
        """Remember an "allow for this session" answer as a rule, unless the decision for the
        call said it would not be remembered (``session_allow``): then it was an allow once."""
        ...


class PermissionPrompt(Protocol):
    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        """Ask about a call the policy asked about: ``decision.reason`` says why it asks; the
        answer ``allow_session`` is offered only when ``decision.session_allow``."""
        ...
