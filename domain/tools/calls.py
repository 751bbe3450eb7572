"""What the agent loop knows about a tool call: the call, what it touches, and its outcome."""

from __future__ import annotations

from typing import Literal

import attrs

from domain.messages.content import JSONObject, Usage
from domain.repr_base import Record

# mcp: a tool of an MCP server, which may do anything its server does: asked about in every
# mode but bypass; in plan mode it runs only when ``read_only`` (its readOnlyHint).
AccessKind = Literal["read", "write", "execute", "network", "none", "mcp"]


@attrs.frozen(repr=False)
class ToolCall(Record):
    id: str
    name: str
    input: JSONObject


@attrs.frozen(repr=False)
class ToolAccess(Record):
    """What a call would touch, resolved by the tool adapter (symlinks followed) before deciding."""

    tool: str
    kind: AccessKind
    paths: tuple[str, ...] = ()
    outside_workspace: bool = False
    command: str | None = None
    domain: str | None = None
    # A command that will run confined in the OS sandbox the user enabled with
    # autoAllowBashIfSandboxed: the mode's question is skipped (deny and ask rules still hold).
    sandbox_auto_allow: bool = False
    leaves_sandbox: bool = False
    """A command that will run outside the OS sandbox the user enabled (the model asked, or an
    excluded command): an allow rule from the folder's own settings does not approve it."""
    read_only: bool = False
    """An MCP tool its server marks ``readOnlyHint: true``: plan mode lets it run."""
    invalid: str | None = None
    """Why the input cannot be used (a path with a NUL byte...): the call is not run, and the
    model is told this as the tool's error."""


@attrs.frozen(repr=False)
class ToolOutcome(Record):
    content: str | list[JSONObject]
    is_error: bool = False
    summary: str = ""
    diff: str | None = None
    structured: JSONObject | None = None
    # What subagents spent to produce this outcome (model, usage): the Agent tool's calls,
    # nested ones included. The loop adds it to the turn's usage.
    subagent_usages: tuple[tuple[str, Usage], ...] = ()
    warning: str = ""
    """A line the user must see even where tool calls are not shown (-p): a path that decides
    what runs next appeared while sandboxed commands ran."""


Verdict = Literal["allow", "deny", "ask"]


@attrs.frozen(repr=False)
class Decision(Record):
    verdict: Verdict
    reason: str = ""
    # For an "ask": whether the policy would remember an "allow for the session" answer. When
    # it would not (it asks again whatever was answered), a question must not offer one, and
    # ``every_time`` says why in a few words.
    session_allow: bool = True
    every_time: str = ""
    # Whether a hook's "allow" may answer this ask in the user's place: not for a protected
    # path, an ask rule, or a deny rule that could not be checked.
    hook_may_allow: bool = True
    # Which check of the policy decided (a name from ``domain.permissions.DECISION_STEPS``),
    # and the rule that did, with the file or flag it came from: for explanations and logs.
    step: str = ""
    rule: str = ""
    rule_source: str = ""


@attrs.frozen(repr=False)
class PermissionAnswer(Record):
    """The user's answer to a permission question."""

    verdict: Literal["allow_once", "allow_session", "deny"]
    reason: str = ""
    # An allow may change the call's input (a program answering over the control protocol
    # can, as with Claude Code); the changed input is checked against the rules again.
    updated_input: JSONObject | None = None
