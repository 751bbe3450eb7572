"""A ``PermissionDecider`` from a table of verdicts and a scripted ``PermissionPrompt``.

Loop tests need permission decisions they can state in one line; the real rules engine
(``domain/permissions/policy.py``) has its own tests.
"""

from __future__ import annotations

from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall, Verdict


class TableDecider:
    """The verdict for a tool is looked up by name; "allow for the session" is remembered."""

    def __init__(self, verdicts: dict[str, Verdict] | None = None, default: Verdict = "allow"):
        self.verdicts = dict(verdicts or {})
        self.default = default
        self.allowed_for_session: list[ToolAccess] = []

    def decide(self, access: ToolAccess) -> Decision:
        if access in self.allowed_for_session:
            return Decision("allow")
        verdict = self.verdicts.get(access.tool, self.default)
        reason = "" if verdict == "allow" else f"{access.tool} is not allowed by the test's table"
        return Decision(verdict, reason)

    def allow_for_session(self, access: ToolAccess) -> None:
        self.allowed_for_session.append(access)


class ScriptedPrompt:
    """Answers permission questions in order; ``None`` in the script means Ctrl-C."""

    def __init__(self, answers: list[PermissionAnswer | None]) -> None:
        self.answers = list(answers)
        self.asked: list[ToolCall] = []

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        self.asked.append(call)
        answer = self.answers.pop(0)
        if answer is None:
            raise KeyboardInterrupt
        return answer
