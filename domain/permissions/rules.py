"""Permission rules in Claude Code's syntax, and what a rule matches.

A rule is ``Tool`` (every call of the tool) or ``Tool(specifier)``:
- ``Bash(npm test)`` is one exact command, ``Bash(git diff:*)`` a command prefix and
  ``Bash(git * main)`` a wildcard; a command line is judged piece by piece (see
  ``shell_split``), so an allow rule covers ``a && b`` only if every piece is covered;
- ``Read(./src/**)``, ``Edit(docs/**)``: gitignore-style paths (see ``path_patterns``);
  ``//abs`` is from the filesystem root, ``~/x`` from the home directory, ``/x`` and
  ``./x`` from the workspace, a bare ``*.md`` matches at any depth;
- ``WebFetch(domain:example.com)``, ``WebFetch(domain:*.example.com)``.
``Edit`` rules cover every tool that edits files and ``Read`` rules every tool that reads them.
``mcp__server`` and ``mcp__server__*`` cover every tool of that MCP server.

Rules that deny or ask match when they touch any part of a call; allow rules must cover
every part (each command piece, each path: the path as given and as resolved). For commands,
deny and ask rules also see what each piece really runs (``/bin/rm``, ``sudo rm``,
``bash -c 'rm …'``: see ``shell_wrappers``), and a command line the splitter cannot fully read
is asked about while such a rule exists (``unchecked_rule``). Allow rules judge the text as
written; prefix and wildcard rules never allow a ``dynamic`` line, a redirection into a file
or an option that writes or runs (``git diff --output``, see ``command_options``): only an
exact rule does.
An "allow for this session" rule for a command is that exact command, ``*`` included.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from typing import Literal

import attrs

from domain.errors import HexclawError
from domain.mcp.naming import rule_covers as mcp_rule_covers
from domain.permissions import path_patterns
from domain.permissions.command_options import risky_option
from domain.permissions.shell_split import parse_command_line
from domain.permissions.shell_wrappers import executed
from domain.repr_base import Record
from domain.tools.calls import ToolAccess

RuleBehavior = Literal["allow", "ask", "deny"]

EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
READ_TOOLS = frozenset({"Read", "Glob", "Grep", "LS"})
_FAMILIES = {"Edit": EDIT_TOOLS, "Read": READ_TOOLS}
# A rule may name a tool by its former name, as Claude Code's users still write it.
_FORMER_NAMES = {"Task": "Agent"}
# ``mcp__server__*`` is the one tool name that ends in a star (see ``domain.mcp.naming``).
_RULE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*(?:__\*)?)(?:\((.*)\))?$", re.DOTALL)


class InvalidPermissionRule(HexclawError):
    exit_code = 2


@attrs.frozen(repr=False)
class PermissionRule(Record):
    tool: str
    specifier: str | None = None
    source: str = ""
    exact: bool = False  # the specifier is literal text: "*" and ":*" are not patterns
    from_project: bool = False
    """Only the folder's own settings hold it: it does not let a command out of the sandbox."""

    def __str__(self) -> str:
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"

    def covers_tool(self, tool: str) -> bool:
        named = _FORMER_NAMES.get(self.tool, self.tool)
        return tool == named or tool in _FAMILIES.get(named, ()) or mcp_rule_covers(named, tool)


@attrs.frozen(repr=False)
class RuleContext(Record):
    """Where relative rule paths start: the workspace, and the home directory for ``~/``."""

    workspace: str
    home: str


def parse_rule(text: str, source: str = "") -> PermissionRule:
    stripped = text.strip()
    found = _RULE.match(stripped)
    where = f"{source}: " if source else ""
    if found is None:
        raise InvalidPermissionRule(
            f"{where}invalid permission rule {text!r}: expected Tool or Tool(specifier), "
            'e.g. "Bash(npm test)" or "Edit(docs/**)"'
        )
    tool, spec = found.group(1), found.group(2)
    if spec is not None:
        spec = spec.strip()
        if spec in ("", "*"):
            spec = None
    if tool == "WebFetch" and spec is not None and not spec.startswith("domain:"):
        raise InvalidPermissionRule(
            f"{where}invalid permission rule {text!r}: WebFetch rules look like "
            "WebFetch(domain:example.com)"
        )
    return PermissionRule(tool, spec, source)


def split_rule_list(text: str) -> list[str]:
    """Rules from one command-line value: separated by commas or spaces outside parentheses."""
    rules: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0 and (char == "," or char.isspace()):
            if current:
                rules.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        rules.append("".join(current))
    return rules


def parse_rule_list(values: Iterable[str], source: str) -> list[PermissionRule]:
    return [parse_rule(text, source) for value in values for text in split_rule_list(value)]


def touching_rule(
    rules: Iterable[PermissionRule], access: ToolAccess, ctx: RuleContext
) -> PermissionRule | None:
    """The first rule that touches any part of the call (for deny and ask rules)."""
    parts = _touched_parts(access)
    for rule in rules:
        if not rule.covers_tool(access.tool):
            continue
        if rule.specifier is None:
            return rule
        if any(_part_matches(rule, part, access, ctx) for part in parts):
            return rule
        if access.kind == "execute" and _exact_command(rule, access):
            return rule
    return None


def covering_rule(
    rules: Iterable[PermissionRule], access: ToolAccess, ctx: RuleContext
) -> PermissionRule | None:
    """A rule from ``rules`` when, together, they cover every part of the call (allow rules)."""
    relevant = [rule for rule in rules if rule.covers_tool(access.tool)]
    for rule in relevant:
        if rule.specifier is None:
            return rule
        if access.kind == "execute" and _exact_command(rule, access):
            return rule
    if access.kind == "execute":
        line = parse_command_line(access.command or "")
        # Like a redirection, an option that writes or runs (git diff --output=…) needs the
        # exact rule checked above: a prefix rule allows reading, not that.
        if line.dynamic or any(
            c.writes_files or risky_option(c.words) is not None for c in line.commands
        ):
            return None
    parts = _parts(access)
    if not parts:
        return None
    first: PermissionRule | None = None
    for part in parts:
        match = next((r for r in relevant if _part_matches(r, part, access, ctx)), None)
        if match is None:
            return None
        first = first or match
    return first


def unchecked_rule(
    deny_and_ask: Iterable[PermissionRule], allow: Iterable[PermissionRule], access: ToolAccess
) -> PermissionRule | None:
    """A Bash deny or ask rule that cannot be checked against this command line, because the
    splitter could not account for all of it (a substitution, ``$CMD``, ``bash -c "$X"``...),
    unless an exact allow rule names this very command (the user already approved it)."""
    if access.kind != "execute":
        return None
    rule = next(
        (r for r in deny_and_ask if r.specifier is not None and r.covers_tool(access.tool)), None
    )
    if rule is None or _run_commands(access.command or "")[1]:
        return None
    if any(r.covers_tool(access.tool) and _exact_command(r, access) for r in allow):
        return None
    return rule


def path_filter(
    rules: Iterable[PermissionRule], tool: str, ctx: RuleContext
) -> Callable[[str], bool] | None:
    """Which paths the deny ``rules`` keep from ``tool``, for the search tools to leave out of
    what they show (``Read(./.env)`` hides .env from Grep, Glob and LS); None when no rule
    concerns the tool."""
    relevant = [rule for rule in rules if rule.covers_tool(tool)]
    if not relevant:
        return None
    if any(rule.specifier is None for rule in relevant):
        return lambda path: True
    # One regex per base directory: a search may check tens of thousands of paths.
    by_base: dict[str, list[str]] = {}
    for rule in relevant:
        base, pattern = _rule_base(rule.specifier or "", ctx)
        by_base.setdefault(base, []).append(pattern)
    matchers = [(base, path_patterns.relative_matcher(p).fullmatch) for base, p in by_base.items()]

    def hidden(path: str) -> bool:
        for base, match in matchers:
            rel = path_patterns.relative_to(path, base)
            if rel is not None and match(rel) is not None:
                return True
        return False

    return hidden


def _touched_parts(access: ToolAccess) -> tuple[str, ...]:
    if access.kind == "execute":
        return _run_commands(access.command or "")[0]
    return _parts(access)


def _run_commands(command: str) -> tuple[tuple[str, ...], bool]:
    """Each piece as written and each command it runs, and whether that view is complete."""
    line = parse_command_line(command)
    parts: list[str] = []
    certain = not line.dynamic
    for piece in line.commands:
        seen = executed(piece)
        parts += [piece.text, *seen.commands]
        certain = certain and seen.certain
    return tuple(parts), certain


def _parts(access: ToolAccess) -> tuple[str, ...]:
    if access.kind == "execute":
        return parse_command_line(access.command or "").texts
    if access.kind == "network":
        return (access.domain,) if access.domain else ()
    return access.paths


def _part_matches(rule: PermissionRule, part: str, access: ToolAccess, ctx: RuleContext) -> bool:
    spec = rule.specifier or ""
    if access.kind == "execute":
        return _command_matches(spec, part, exact=rule.exact)
    if access.kind == "network":
        return spec.startswith("domain:") and _domain_matches(spec[len("domain:") :], part)
    if access.paths:
        base, pattern = _rule_base(spec, ctx)
        return path_patterns.matches(pattern, base, part)
    return False


def _exact_command(rule: PermissionRule, access: ToolAccess) -> bool:
    spec = rule.specifier or ""
    literal = rule.exact or "*" not in spec
    return literal and exact_text(spec) == exact_text(access.command or "")


def exact_text(command: str) -> str:
    """A command as an exact rule compares it: runs of spaces and tabs as one space, but a
    newline kept, since to bash it ends a command (``make⏎test`` runs plain ``make``)."""
    lines = command.strip(" \t\n").split("\n")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip(" \t") for line in lines)


def _command_matches(spec: str, command: str, *, exact: bool = False) -> bool:
    if exact:
        return exact_text(spec) == command
    if spec.endswith(":*"):
        prefix = exact_text(spec[:-2])
        return command == prefix or command.startswith(prefix + " ")
    if "*" in spec:
        regex = ".*".join(re.escape(piece) for piece in exact_text(spec).split("*"))
        return re.fullmatch(regex, command, re.DOTALL) is not None
    return exact_text(spec) == command


def _domain_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.strip().lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def _rule_base(spec: str, ctx: RuleContext) -> tuple[str, str]:
    """The directory a path specifier starts from, and the pattern relative to it."""
    if spec.startswith("//"):
        return "/", "/" + spec[2:]
    if spec == "~" or spec.startswith("~/"):
        return ctx.home, "/" + spec[2:]
    base = ctx.workspace
    if spec.startswith("./"):
        spec = "/" + spec[2:]
    while spec.lstrip("/").startswith("../"):
        base = posixpath.dirname(base.rstrip("/")) or "/"
        spec = "/" + spec.lstrip("/")[3:]
    return base, spec


def session_rules(access: ToolAccess) -> list[PermissionRule]:
    """The rules an "allow for this session" answer adds: as narrow as the call itself."""
    if access.kind == "execute" and access.command:
        return [PermissionRule("Bash", exact_text(access.command), "session", exact=True)]
    if access.kind == "network" and access.domain:
        return [PermissionRule(access.tool, f"domain:{access.domain}", "session")]
    if access.kind in ("read", "write") and access.paths:
        family = next((name for name, tools in _FAMILIES.items() if access.tool in tools), None)
        tool = family or access.tool
        return [
            PermissionRule(tool, "/" + path_patterns.escape(path), "session")
            for path in access.paths
        ]
    if access.kind in ("execute", "network", "read", "write"):
        # A call that names no command, host or path (an empty command, a URL with no host)
        # leaves nothing to remember: a whole-tool rule would allow every later call.
        return []
    return [PermissionRule(access.tool, None, "session")]
