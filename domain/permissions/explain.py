"""``hexclaw permissions explain``: what the policy would decide for a call, and why.

The verdict is the policy's own ``decide`` (nothing here decides anything); the explanation
around it lists the checks in the order ``decide`` makes them up to the one that decided, and,
piece by piece (each simple command of a command line and what a wrapper such as ``sudo`` or
``bash -c`` runs; each path; the domain), which deny, ask and allow rule matches that piece.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from domain.permissions.policy import DECISION_STEPS, PermissionPolicy
from domain.permissions.rules import PermissionRule, covering_rule, touching_rule
from domain.permissions.shell_split import parse_command_line
from domain.permissions.shell_wrappers import executed
from domain.repr_base import Record
from domain.tools.calls import Decision, ToolAccess

EXIT_CODES = {"allow": 0, "ask": 1, "deny": 2}

# Where a rule was written: "file:line", or the flag it came from.
Locator = Callable[[str, str, str], str]


@attrs.frozen(repr=False)
class Piece(Record):
    text: str
    runs: tuple[str, ...]
    deny: str
    ask: str
    allow: str


@attrs.frozen(repr=False)
class Explanation(Record):
    access: ToolAccess
    mode: str
    decision: Decision
    pieces: tuple[Piece, ...]
    where: str  # the deciding rule's file and line (or flag), if a rule decided

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.decision.verdict]

    def lines(self) -> list[str]:
        out = [f"tool: {self.access.tool}   mode: {self.mode}   touches: {_touches(self.access)}"]
        if self.pieces:
            out.append("pieces:")
            for number, piece in enumerate(self.pieces, 1):
                out.append(f"  {number}. {piece.text}")
                for ran in piece.runs:
                    out.append(f"       runs: {ran}")
                out.append(f"       deny rule:  {piece.deny or 'none'}")
                out.append(f"       ask rule:   {piece.ask or 'none'}")
                out.append(f"       allow rule: {piece.allow or 'none'}")
        out.append("checks, in order:")
        for step in DECISION_STEPS:
            if step == self.decision.step:
                out.append(f"  {step}: decides {self.decision.verdict.upper()}")
                break
            out.append(f"  {step}: does not apply")
        if self.decision.rule:
            out.append(f"rule: {self.decision.rule}  ({self.where})")
        reason = self.decision.reason or _allow_reason(self.decision)
        out.append(f"decision: {self.decision.verdict} ({reason})")
        return out


def explain(policy: PermissionPolicy, access: ToolAccess, locate: Locator) -> Explanation:
    decision = policy.decide(access)
    where = ""
    if decision.rule:
        behavior = {"deny rule": "deny", "ask rule": "ask", "allow rule": "allow"}.get(
            decision.step, "deny"
        )
        where = locate(decision.rule, decision.rule_source, behavior)
    return Explanation(
        access=access,
        mode=policy.mode,
        decision=decision,
        pieces=tuple(_pieces(policy, access, locate)),
        where=where,
    )


def _pieces(policy: PermissionPolicy, access: ToolAccess, locate: Locator) -> list[Piece]:
    ctx, rules = policy.context, policy.rules

    def named(rule: PermissionRule | None, behavior: str) -> str:
        return "" if rule is None else f"{rule}  ({locate(str(rule), rule.source, behavior)})"

    def piece(text: str, runs: tuple[str, ...], alone: ToolAccess) -> Piece:
        return Piece(
            text=text,
            runs=runs,
            deny=named(touching_rule(rules.deny, alone, ctx), "deny"),
            ask=named(touching_rule(rules.ask, alone, ctx), "ask"),
            allow=named(covering_rule(rules.allow, alone, ctx), "allow"),
        )

    if access.kind == "execute":
        commands = parse_command_line(access.command or "").commands
        return [
            piece(
                c.text,
                tuple(r for r in executed(c).commands if r != c.text),
                attrs.evolve(access, command=c.text),
            )
            for c in commands
        ]
    if access.kind == "network" and access.domain:
        return [piece(access.domain, (), access)]
    return [piece(p, (), attrs.evolve(access, paths=(p,))) for p in access.paths]


def _touches(access: ToolAccess) -> str:
    if access.kind == "execute":
        return f"runs `{access.command}`"
    if access.kind == "network":
        return f"fetches from {access.domain}"
    if access.kind == "none":
        return "nothing"
    where = " (outside the workspace)" if access.outside_workspace else ""
    return f"{access.kind}s {', '.join(access.paths)}{where}"


def _allow_reason(decision: Decision) -> str:
    return {
        "touches nothing": "the call reads and changes nothing",
        "bypass mode": "bypassPermissions allows everything the deny rules do not stop",
        "allow rule": f"the rule {decision.rule} allows it",
        "mode default": "the mode allows this by default",
    }.get(decision.step, "allowed")
