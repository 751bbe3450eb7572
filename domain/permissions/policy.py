"""The permission policy: decides allow, ask or deny for a call from the mode and the rules.

Order of precedence (the first that applies wins):
1. a deny rule (deny always wins over allow, in every mode, bypass included);
2. calls that touch nothing (TodoWrite, reading a background job's output) are allowed;
3. ``plan`` mode denies anything that writes or runs (an MCP tool unless its server marks it
   ``readOnlyHint: true``);
4. a command line the splitter cannot fully read asks while a Bash deny or ask rule exists,
   since the rule cannot be checked (bypass included), unless an exact allow rule names it;
5. ``bypassPermissions`` allows everything else;
6. a write that decides what a later run of git, a hook manager or hexclaw does asks whatever
   the mode and the allow rules say (``PROTECTED_FOLDERS``, ``PROTECTED_FILES``,
   ``GIT_DIR_FILES``): git hooks and config run commands, a ``HEAD`` or ``config`` file makes
   a folder a git dir whose config git then obeys, ``.claude`` and ``CLAUDE.md`` hold the
   settings and instructions of the next run, and ``.husky/`` holds hooks, so an edit there
   would turn ``acceptEdits`` into running anything;
7. an ask rule asks, even when an allow rule also matches;
8. allow rules;
9. the mode's default: reads inside the workspace are allowed in every mode; ``acceptEdits``
   allows writes inside the workspace; a command that runs confined in the OS sandbox with
   ``autoAllowBashIfSandboxed`` is allowed (``ToolAccess.sandbox_auto_allow``); anything
   else asks (in print mode the loop turns that into a denial, since nothing can be asked).

``permissions.disableBypassPermissionsMode: "disable"`` in any settings file (a project's
too: it only takes power away) means bypass mode cannot be entered: the command-line flags are
refused with one line and exit 2, and ``/permissions bypassPermissions`` is refused too.

An "allow for the session" answer is an allow rule, so it is remembered only where allow rules
count: not for 6 or 7, which come before them (the ``Decision`` says so, and the question then
offers no session option); for 4, its exact rule lets the command past the check. A call that
names no command, host or path (an empty command, a URL without a host) has no rule to
remember, so its question offers no session option either.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Callable, Collection

import attrs

from domain.errors import HexclawError
from domain.permission_modes import PERMISSION_MODES, PermissionMode
from domain.permissions.choices import PolicyChoices
from domain.permissions.rules import (
    InvalidPermissionRule,
    PermissionRule,
    RuleBehavior,
    RuleContext,
    covering_rule,
    parse_rule,
    parse_rule_list,
    path_filter,
    session_rules,
    touching_rule,
    unchecked_rule,
)
from domain.repr_base import Record
from domain.settings.merge import Settings
from domain.tools.calls import Decision, ToolAccess

# Folders anywhere in the path (compared without case, as on a case-insensitive disk): git's
# own, hexclaw's settings, and the hook folders of hook managers (husky points git's
# core.hooksPath at .husky).
PROTECTED_FOLDERS = (".git", ".claude", ".husky", ".githooks", ".git-hooks", ".hooks", ".lefthook")
# Files, by name: instructions every later run reads, and configuration that makes a tool
# run commands when the user next commits or enters the folder.
PROTECTED_FILES = (
    "CLAUDE.md",
    "CLAUDE.local.md",
    "AGENTS.md",
    ".mcp.json",
    ".envrc",
    ".pre-commit-config.yaml",
    "lefthook.yml",
    ".lefthook.yml",
    "lefthook-local.yml",
)
# The files that make a folder a git dir (HEAD beside objects/ and refs/), or that git reads
# in one: written at the workspace root they make `git diff --no-index` and the user's own
# next git command obey a planted config (a diff.external, a core.pager).
GIT_DIR_FILES = ("head", "config", "packed-refs", "commondir", "gitdir")
# The checks of ``decide``, in the order it makes them; a ``Decision`` names the one that
# decided.
DECISION_STEPS = (
    "deny rule",
    "touches nothing",
    "plan mode",
    "unchecked rule",
    "bypass mode",
    "protected path",
    "ask rule",
    "allow rule",
    "mode default",
)
NOTHING_TO_REMEMBER = "the call names no command, host or path to remember"
BYPASS_WARNING = (
    "bypassPermissions mode: every tool call runs without asking, including commands and "
    "edits outside the workspace. Deny rules still apply."
)


class UnknownPermissionMode(HexclawError):
    exit_code = 2


class BypassDisabled(HexclawError):
    """bypassPermissions was asked for where a settings file switched it off."""

    exit_code = 2

    def __init__(self, source: str) -> None:
        super().__init__(
            f"bypassPermissions mode is disabled by permissions.disableBypassPermissionsMode "
            f"in {source}"
        )


def parse_mode(text: str) -> PermissionMode:
    for mode in PERMISSION_MODES:
        if text == mode:
            return mode
    raise UnknownPermissionMode(
        f"unknown permission mode {text!r}; choose one of {', '.join(PERMISSION_MODES)}"
    )


@attrs.define(repr=False)
class PermissionRules(Record):
    allow: list[PermissionRule] = attrs.field(factory=list)
    ask: list[PermissionRule] = attrs.field(factory=list)
    deny: list[PermissionRule] = attrs.field(factory=list)

    def by_behavior(self) -> dict[RuleBehavior, list[PermissionRule]]:
        return {"allow": self.allow, "ask": self.ask, "deny": self.deny}


class PermissionPolicy:
    """Implements ``PermissionDecider``; the REPL's ``/permissions`` reads and changes it."""

    def __init__(
        self,
        mode: PermissionMode,
        rules: PermissionRules,
        context: RuleContext,
        bypass_disabled_by: str | None = None,
    ) -> None:
        if mode == "bypassPermissions" and bypass_disabled_by is not None:
            raise BypassDisabled(bypass_disabled_by)
        self._shared = _SharedMode(mode)
        self.rules = rules
        self.context = context
        self.bypass_disabled_by = bypass_disabled_by
        """The settings file that disables bypass mode, if one does."""
        self._also_denied_from: tuple[RuleContext, ...] = ()

    @property
    def _mode(self) -> PermissionMode:
        return self._shared.mode

    @property
    def mode(self) -> PermissionMode:
        return self._shared.mode

    def rooted_at(self, workspace: str) -> PermissionPolicy:
        """This policy judging from another workspace root (a worktree subagent's): its mode,
        rules and session answers are this one's, live; relative rule paths, what counts as
        a protected path and (through the tools) what is outside start from ``workspace``.
        Deny and ask rules still match from this policy's own root too, so a view is never
        looser about them."""
        view = copy.copy(self)
        view.context = attrs.evolve(self.context, workspace=workspace)
        view._also_denied_from = (*self._also_denied_from, self.context)
        return view

    def _touching(self, rules: list[PermissionRule], access: ToolAccess) -> PermissionRule | None:
        for context in (self.context, *self._also_denied_from):
            rule = touching_rule(rules, access, context)
            if rule is not None:
                return rule
        return None

    def set_mode(self, mode: str) -> PermissionMode:
        wanted = parse_mode(mode)
        if wanted == "bypassPermissions" and self.bypass_disabled_by is not None:
            raise BypassDisabled(self.bypass_disabled_by)
        self._shared.mode = wanted
        return wanted

    def add_rule(
        self, behavior: RuleBehavior, text: str, source: str = "session"
    ) -> PermissionRule:
        rule = parse_rule(text, source)
        self.rules.by_behavior()[behavior].append(rule)
        return rule

    def decide(self, access: ToolAccess) -> Decision:
        if access.invalid is not None:
            return Decision("deny", access.invalid)
        rule = self._touching(self.rules.deny, access)
        if rule is not None:
            return _by_rule(
                Decision("deny", f"the rule {rule} ({_origin(rule)}) denies {_what(access)}"),
                "deny rule",
                rule,
            )
        if access.kind == "none":
            return Decision("allow", step="touches nothing")
        if self._mode == "plan" and (
            access.kind in ("write", "execute") or (access.kind == "mcp" and not access.read_only)
        ):
            return Decision(
                "deny",
                f"plan mode is read-only, so {_what(access)} is not allowed; present the plan "
                "and let the user leave plan mode first",
                step="plan mode",
            )
        # A deny or ask rule hexclaw cannot check holds even in bypass mode: ask.
        rule = unchecked_rule([*self.rules.deny, *self.rules.ask], self.rules.allow, access)
        if rule is not None:
            reason = (
                f"the rule {rule} ({_origin(rule)}) cannot be checked against {_what(access)}: "
                "part of it is only known when it runs"
            )
            # The session's exact allow rule gets the command past this check, but an ask
            # rule that also touches it would still ask (bypass mode allows before that).
            asking = None
            if self._mode != "bypassPermissions":
                asking = self._touching(self.rules.ask, access)
            if asking is not None:
                return _by_rule(
                    _every_time(reason, f"the rule {asking} always asks"), "unchecked rule", rule
                )
            return _by_rule(Decision("ask", reason, hook_may_allow=False), "unchecked rule", rule)
        if self._mode == "bypassPermissions":
            return Decision("allow", step="bypass mode")
        protected = _protected_path(access, self.context.workspace)
        if protected is not None:
            name, why = protected
            return attrs.evolve(
                _every_time(
                    f"{_what(access)} changes {name}{why}, which decides what later runs of git, "
                    "its hooks or hexclaw do; that always needs the user's approval",
                    f"{name} changes always need approval",
                ),
                step="protected path",
            )
        rule = self._touching(self.rules.ask, access)
        if rule is not None:
            return _by_rule(
                _every_time(
                    f"the rule {rule} ({_origin(rule)}) asks before {_what(access)}",
                    f"the rule {rule} always asks",
                ),
                "ask rule",
                rule,
            )
        allow = self.rules.allow
        if access.leaves_sandbox:
            # A command the folder itself wrote could leave the sandbox by a rule it planted.
            allow = [rule for rule in allow if not rule.from_project]
        rule = covering_rule(allow, access, self.context)
        if rule is not None:
            return _by_rule(Decision("allow"), "allow rule", rule)
        decision = self._mode_default(access)
        if not session_rules(access):
            # A call that names no command, host or path leaves nothing to remember (a rule
            # for the whole tool would allow every later call), so no session answer is offered.
            decision = attrs.evolve(decision, session_allow=False, every_time=NOTHING_TO_REMEMBER)
        return attrs.evolve(decision, step="mode default")

    def _mode_default(self, access: ToolAccess) -> Decision:
        if access.kind == "read":
            if not access.outside_workspace:
                return Decision("allow")
            return Decision("ask", f"{_what(access)} is outside the workspace and needs approval")
        if access.kind == "write":
            if access.outside_workspace:
                return Decision(
                    "ask", f"{_what(access)} is outside the workspace and needs approval"
                )
            if self._mode == "acceptEdits":
                return Decision("allow")
        if access.kind == "execute" and access.sandbox_auto_allow:
            return Decision("allow")
        return Decision("ask", f"{_what(access)} needs the user's approval in {self._mode} mode")

    def allow_for_session(self, access: ToolAccess) -> None:
        # An answer this policy would not honour is an allow once: its rule would only show in
        # /permissions without effect, and could start to count after a change of mode.
        if not self.decide(access).session_allow:
            return
        for rule in session_rules(access):
            if rule not in self.rules.allow:
                self.rules.allow.append(rule)

    def hidden_paths(self, tool: str) -> Callable[[str], bool] | None:
        """The paths deny rules keep from a search tool (Glob, Grep, LS leave them out)."""
        filters = [
            found
            for context in (self.context, *self._also_denied_from)
            if (found := path_filter(self.rules.deny, tool, context)) is not None
        ]
        if not filters:
            return None
        return lambda path: any(hidden(path) for hidden in filters)

    def tool_disabled(self, tool: str) -> bool:
        """A bare deny rule (``--disallowedTools Bash``) removes the tool from what is offered."""
        return any(rule.specifier is None and rule.covers_tool(tool) for rule in self.rules.deny)

    def describe(self) -> list[str]:
        """The mode and the active rules, one per line, for ``/permissions``."""
        lines = [f"mode: {self._mode}"]
        for behavior, rules in self.rules.by_behavior().items():
            lines.extend(f"{behavior}: {rule}  [{_origin(rule)}]" for rule in rules)
        return lines


@attrs.define
class _SharedMode:
    """The mode, one cell for a policy and its rooted views: ``/permissions`` and Shift+Tab
    reach a running worktree subagent too."""

    mode: PermissionMode


@attrs.frozen(repr=False)
class BuiltPolicy(Record):
    policy: PermissionPolicy
    warnings: tuple[str, ...]


def build_policy(settings: Settings, choices: PolicyChoices, context: RuleContext) -> BuiltPolicy:
    """The policy from settings (``permissions.*``) and the command line, which adds to them.

    A bad rule on the command line is an error; a bad rule or mode in a settings file is
    skipped with a warning so one typo does not lock the user out.
    """
    warnings: list[str] = []
    rules = PermissionRules()
    for behavior, target in rules.by_behavior().items():
        values = settings.get("permissions", behavior, default=[])
        source = settings.source_of("permissions", behavior) or "settings"
        target.extend(_settings_rules(values, source, warnings, settings.project_allow))
    rules.allow.extend(parse_rule_list(choices.allowed, "--allowedTools"))
    rules.deny.extend(parse_rule_list(choices.disallowed, "--disallowedTools"))
    mode: PermissionMode = "default"
    configured = settings.get("permissions", "defaultMode")
    if choices.mode is not None:
        mode = parse_mode(choices.mode)
    elif configured is not None:
        try:
            mode = parse_mode(str(configured))
        except UnknownPermissionMode as exc:
            source = settings.source_of("permissions", "defaultMode") or "settings"
            warnings.append(f"{source}: {exc} (using default)")
        if mode == "bypassPermissions":
            # A settings file can come with a cloned repository; only the user, on the command
            # line, may switch every permission check off.
            source = settings.source_of("permissions", "defaultMode") or "settings"
            warnings.append(
                f"{source}: defaultMode bypassPermissions is ignored; it needs "
                "--dangerously-skip-permissions or --permission-mode bypassPermissions "
                "(using default)"
            )
            mode = "default"
    disabled_by = None
    if settings.get("permissions", "disableBypassPermissionsMode") == "disable":
        disabled_by = settings.source_of("permissions", "disableBypassPermissionsMode")
        disabled_by = disabled_by or "settings"
    return BuiltPolicy(PermissionPolicy(mode, rules, context, disabled_by), tuple(warnings))


def _settings_rules(
    values: object, source: str, warnings: list[str], from_project: Collection[str] = ()
) -> list[PermissionRule]:
    """The rules of a settings list; those in ``from_project`` are marked as the folder's."""
    if not isinstance(values, list):
        warnings.append(f"{source}: permission rules must be a list of strings (ignored)")
        return []
    rules: list[PermissionRule] = []
    for value in values:
        if not isinstance(value, str):
            warnings.append(f"{source}: permission rule {value!r} is not a string (ignored)")
            continue
        try:
            rule = parse_rule(value, source)
        except InvalidPermissionRule as exc:
            warnings.append(f"{exc} (ignored)")
            continue
        rules.append(attrs.evolve(rule, from_project=True) if value in from_project else rule)
    return rules


def _protected_path(access: ToolAccess, workspace: str) -> tuple[str, str] | None:
    """What protected a write touches, if anything: a protected folder it lands in (``.git/``),
    or a protected file or git-dir file it is (``CLAUDE.md``, ``HEAD``), with a note on why
    when the name alone does not say it. Inside the workspace
    only the part below its root counts, so a workspace that itself lives in such a folder
    still works; outside it (the user's ``~/.claude`` too) every part counts."""
    if access.kind != "write":
        return None
    root = posixpath.normpath(workspace)
    for path in access.paths:
        normal = posixpath.normpath(path)
        inside = normal == root or normal.startswith(root.rstrip("/") + "/")
        part = normal[len(root) :] if inside else normal
        names = [name for name in part.split("/") if name]
        for name in names:
            if name.lower() in PROTECTED_FOLDERS:
                return name + "/", ""
        last = names[-1] if names else ""
        if last in PROTECTED_FILES:
            return last, ""
        if last.lower() in GIT_DIR_FILES:
            return (
                last,
                " (a file git reads as part of a repository: with it, a folder can be a git dir)",
            )
    return None


def _by_rule(decision: Decision, step: str, rule: PermissionRule) -> Decision:
    return attrs.evolve(decision, step=step, rule=str(rule), rule_source=_origin(rule))


def _every_time(reason: str, why: str) -> Decision:
    """An ask that comes back whatever the user answers, so no "allow for the session"."""
    return Decision("ask", reason, session_allow=False, every_time=why, hook_may_allow=False)


def _origin(rule: PermissionRule) -> str:
    return rule.source or "settings"


def _what(access: ToolAccess) -> str:
    if access.kind == "execute" and access.command:
        return f"running `{_short(access.command)}`"
    if access.kind == "network" and access.domain:
        return f"fetching from {access.domain}"
    verb = {"read": "reading", "write": "writing"}.get(access.kind)
    if verb and access.paths:
        return f"{verb} {access.paths[-1]}"
    return f"using {access.tool}"


def _short(command: str, limit: int = 120) -> str:
    flat = " ".join(command.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
