"""``CommandExpander``: ``/name args`` into Claude Code's user message for the command.

``!`cmd``` lines run in the workspace (their output takes their place); ``@path`` files are
attached after the body. Both answer to the permission rules first. Unless the user approved
that exact file, a project command's ``allowed-tools`` are judged as a project's settings'
allow rules are; its ``@path`` may not leave the workspace (symlinks followed), as a project's
CLAUDE.md imports may not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import attrs

from adapters.commands.command_files import command_trust_item
from adapters.tools.support.process_group import run_streaming
from domain.commands.custom import CustomCommand, command_message, segments
from domain.context.file_mentions import Attachment, attachment_block
from domain.messages.content import ContentBlock
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.project_rules import project_command_rules
from domain.permissions.rules import InvalidPermissionRule, RuleContext, parse_rule_list
from domain.repr_base import Record
from domain.tools.calls import Decision, ToolAccess
from domain.trust.items import TrustItem
from domain.trust.ledger import TrustCheck, TrustLedger
from domain.trust.notices import skipped_line

BANG_TIMEOUT = 120.0
OUTPUT_LIMIT = 30_000
INCLUDE_LIMIT = 256 * 1024


@attrs.frozen(repr=False)
class Expansion(Record):
    content: tuple[ContentBlock, ...]
    notes: tuple[str, ...] = ()
    """One line each for the user: what did not run or was not included, and why."""
    expanded: str = ""


class CommandExpander:
    def __init__(
        self,
        workspace: Path,
        policy: PermissionPolicy,
        ledger: TrustLedger,
        approve: Callable[[TrustCheck], bool] | None = None,
        confirm: Callable[[str, Decision], bool] | None = None,
    ) -> None:
        """``approve`` asks about an unapproved project command (and stores the answer);
        ``confirm`` asks about one ``!`cmd``` the rules ask about. Without them (``-p``)
        the answer is no."""
        self._workspace = workspace
        self._policy = policy
        self._ledger = ledger
        self._approve = approve
        self._confirm = confirm

    def expand(self, command: CustomCommand, raw_args: str) -> Expansion:
        notes: list[str] = []
        item = command_trust_item(command, self._workspace)
        may_run = self._trusted(item, notes)
        # A project file the user approved (its exact bytes, frontmatter with them) keeps its
        # allowed-tools: they reach only its own ``!`cmd``` lines the user was shown.
        judged = command.scope == "project" and (item is None or not may_run)
        policy = self._with_allowed_tools(command, judged, notes)
        parts: list[str] = []
        attachments: list[Attachment] = []
        for segment in segments(command, raw_args):
            if segment.kind == "text":
                parts.append(segment.text)
            elif segment.kind == "bang":
                parts.append(self._bang(segment.text, may_run, policy, notes))
            else:
                attachment = self._include(segment.text, command, policy, notes)
                if attachment is not None:
                    attachments.append(attachment)
        expanded = "".join(parts)
        content = [
            *command_message(command.name, raw_args, expanded),
            *(attachment_block(a) for a in attachments),
        ]
        return Expansion(tuple(content), tuple(notes), expanded)

    def _trusted(self, item: TrustItem | None, notes: list[str]) -> bool:
        if item is None:
            return True
        check = self._ledger.check(item)
        if check.verdict == "approved":
            return True
        if self._approve is not None and self._approve(check):
            return True
        notes.append(skipped_line(check))
        return False

    def _with_allowed_tools(
        self, command: CustomCommand, judged: bool, notes: list[str]
    ) -> PermissionPolicy:
        base = self._policy
        allowed = command.allowed_tools
        if allowed and judged:
            # A stranger's folder may allow itself no more than its settings may.
            context = RuleContext(os.path.realpath(self._workspace), base.context.home)
            allowed, refused = project_command_rules(allowed, command.source, context)
            if refused is not None:
                notes.append(refused)
        if not allowed:
            return base
        try:
            extra = parse_rule_list(allowed, f"/{command.name} allowed-tools")
        except InvalidPermissionRule as exc:
            notes.append(f"{exc} (the command's allowed-tools are ignored)")
            return base
        rules = PermissionRules(
            allow=[*base.rules.allow, *extra], ask=list(base.rules.ask), deny=list(base.rules.deny)
        )
        return PermissionPolicy(base.mode, rules, base.context)

    def _bang(self, line: str, may_run: bool, policy: PermissionPolicy, notes: list[str]) -> str:
        if not may_run:
            return f"[not run: `{line}`: the project command is not approved]"
        decision = policy.decide(ToolAccess(tool="Bash", kind="execute", command=line))
        allowed = decision.verdict == "allow" or (
            decision.verdict == "ask"
            and self._confirm is not None
            and self._confirm(line, decision)
        )
        if not allowed:
            why = decision.reason or "not allowed by the permission rules"
            notes.append(f"did not run !`{line}`: {why}")
            return f"[not run: `{line}`: {why}]"
        return _run(line, str(self._workspace))

    def _include(
        self, path: str, command: CustomCommand, policy: PermissionPolicy, notes: list[str]
    ) -> Attachment | None:
        target = Path(os.path.expanduser(path))
        if not target.is_absolute():
            target = self._workspace / target
        real = os.path.realpath(target)
        root = os.path.realpath(self._workspace)
        outside = not (real == root or real.startswith(root.rstrip(os.sep) + os.sep))
        if outside and command.scope == "project":
            # Whatever the rules allow: a bare Read allow would otherwise let a folder's
            # command send ~/.ssh to the API unseen (as a project's CLAUDE.md may not).
            notes.append(
                f"did not include @{path}: it is outside the workspace, where a project "
                "command's includes must stay"
            )
            return None
        access = ToolAccess(tool="Read", kind="read", paths=(real,), outside_workspace=outside)
        decision = policy.decide(access)
        if decision.verdict != "allow":
            notes.append(f"did not include @{path}: {decision.reason or 'not allowed'}")
            return None
        try:
            with open(real, "rb") as handle:
                data = handle.read(INCLUDE_LIMIT + 1)
        except OSError as exc:
            notes.append(f"did not include @{path}: {exc.strerror or exc}")
            return None
        text = data[:INCLUDE_LIMIT].decode("utf-8", errors="replace")
        if len(data) > INCLUDE_LIMIT:
            text += "\n[... cut at 256 KiB]"
        return Attachment(path, text)


def _run(line: str, cwd: str) -> str:
    chunks: list[bytes] = []
    size = 0

    def collect(chunk: bytes) -> bool:
        nonlocal size
        chunks.append(chunk)
        size += len(chunk)
        return size <= OUTPUT_LIMIT * 4

    result = run_streaming(["/bin/bash", "-c", line], cwd, collect, BANG_TIMEOUT)
    text = b"".join(chunks).decode("utf-8", errors="replace").rstrip("\n")
    if len(text) > OUTPUT_LIMIT:
        text = text[:OUTPUT_LIMIT] + "\n[... output cut]"
    if result.timed_out:
        text += f"\n[timed out after {BANG_TIMEOUT:g} s]"
    elif result.returncode not in (0, None):
        text += f"\n[exit code {result.returncode}]"
    return text
