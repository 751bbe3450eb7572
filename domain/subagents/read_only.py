"""The read-only agents' permission check: Explore, Plan, and ``permissionMode: plan`` agents.

It comes before the parent's policy and only ever takes away: a write is refused, a command
runs only when every part of it is a known reading program with no option that writes or
runs something; whatever passes is then judged by the parent's own rules and mode.
"""

from __future__ import annotations

from domain.permissions.command_options import risky_option
from domain.permissions.ports import PermissionDecider
from domain.permissions.shell_split import parse_command_line
from domain.tools.calls import Decision, ToolAccess

READING_PROGRAMS = frozenset(
    {
        "cat", "head", "tail", "less", "more", "wc", "ls", "tree", "find", "grep", "egrep",
        "fgrep", "rg", "ag", "file", "stat", "du", "df", "pwd", "echo", "printf", "which",
        "type", "basename", "dirname", "realpath", "readlink", "sort", "uniq", "cut", "tr",
        "diff", "cmp", "comm", "nl", "od", "hexdump", "xxd", "strings", "date", "whoami",
        "uname", "env", "printenv", "true", "false", "test", "[", "jq", "column", "fold",
        "sha256sum", "md5sum", "cksum",
    }
)  # fmt: skip
READING_GIT = frozenset(
    {
        "status", "log", "diff", "show", "blame", "ls-files", "ls-tree", "grep", "rev-parse",
        "describe", "shortlog", "cat-file", "rev-list", "whatchanged", "reflog", "branch",
        "tag", "remote",
    }
)  # fmt: skip


def read_only_command(command: str) -> str | None:
    """None when the command only reads; otherwise the part that does not, for the reason."""
    line = parse_command_line(command)
    if line.dynamic:
        return "a part that is only known when it runs"
    for part in line.commands:
        words = [w.value for w in part.words]
        if not words:
            continue
        if part.writes_files:
            return f"{part.text!r}, which writes a file"
        if risky_option(part.words) is not None:
            return f"{part.text!r}, which has an option that writes or runs something"
        program = words[0]
        if program == "git":
            sub = next((w for w in words[1:] if not w.startswith("-")), "")
            if sub not in READING_GIT:
                return f"{part.text!r}"
        elif program == "sed":
            if any(w.startswith(("-i", "--in-place")) for w in words[1:]):
                return f"{part.text!r}, which edits in place"
        elif program not in READING_PROGRAMS:
            return f"{part.text!r}"
    return None


class ReadOnlyDecider:
    """A ``PermissionDecider`` for a read-only subagent, over the parent's policy."""

    def __init__(self, inner: PermissionDecider, agent: str) -> None:
        self.inner = inner
        self.agent = agent

    def decide(self, access: ToolAccess) -> Decision:
        if access.kind == "write":
            return Decision("deny", f"the {self.agent} agent is read-only: it may not change files")
        if access.kind == "execute":
            problem = read_only_command(access.command or "")
            if problem is not None:
                return Decision(
                    "deny",
                    f"the {self.agent} agent is read-only: it runs read-only commands only, "
                    f"and this one has {problem}",
                )
        return self.inner.decide(access)

    def allow_for_session(self, access: ToolAccess) -> None:
        self.inner.allow_for_session(access)
