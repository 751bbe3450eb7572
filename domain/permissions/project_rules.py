"""Which allow rules a project's own settings may hold: judged by what they would match.

A folder may be a stranger's clone; its ``.claude/settings.json`` may pre-approve a command
(``Bash(npm test)``) or a path inside it, not more; so may the ``allowed-tools`` of its
custom commands (``project_command_rules``). A rule is tried with the matcher the policy
uses (``rules.covering_rule``) on probes, so a spelling nobody foresaw is judged by its effect:

- a ``Bash`` rule is refused when it allows a probe command whose program is any word (fixed
  probes, and the rule's own wildcards filled with the probe, seen through wrappers such as
  ``env``, ``sudo``, ``bash -c``), or when its program is not named literally; and any other
  rule with a wildcard is refused too: arguments chosen freely name files outside the
  workspace (``cat *``), delete them (``rm *``) or are code (``python3 -c *``), so a project
  may pre-approve exact commands only (``Bash(npm test)``);
- a path rule (``Read``, ``Edit`` and their tools) is refused when it allows a probe path outside
  the workspace (the home folder's keys, ``/etc``, the workspace's parent, and the rule's own
  pattern filled in and resolved from ``//``, ``~`` or ``..``); a bare ``Read`` is refused;
- every ``WebFetch`` allow is refused: it can carry a read file away, in plan mode too;
- a rule for any other tool is refused unless its calls touch nothing (``TodoWrite``): what
  cannot be checked is not kept.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Sequence
from typing import Literal

from domain.permissions.rules import (
    EDIT_TOOLS,
    READ_TOOLS,
    InvalidPermissionRule,
    PermissionRule,
    RuleContext,
    covering_rule,
    parse_rule,
)
from domain.permissions.shell_split import parse_command_line
from domain.permissions.shell_wrappers import executed
from domain.tools.calls import ToolAccess

# A name no real rule mentions: a rule that matches a command run under this name, or a file
# under this name outside the workspace, would match any other too.
PROBE = "hexclawprobe"
_COMMAND_PROBES = (
    PROBE,
    f"{PROBE} --flag value",
    f"/{PROBE}/bin/sh -c x",
    f"./{PROBE}",
    f"x {PROBE}",
    f"x y {PROBE}",
)
# What a wildcard of a rule is filled with to build more probes from the rule itself.
_FILLERS = (PROBE, f"{PROBE} x", f"x {PROBE}", f"x y {PROBE}", f"-c {PROBE}", f"/{PROBE}")
_PATH_TOOLS = EDIT_TOOLS | READ_TOOLS
# Tools whose calls touch nothing outside hexclaw (a to-do list, a job hexclaw started).
_HARMLESS_TOOLS = frozenset({"TodoWrite", "BashOutput", "KillShell"})
_PATTERN_CHARS = frozenset("*?[]{}$`'\"\\()<>|&;!~")
# Spellings of a whole tool, refused whatever today's matcher makes of them.
_WHOLE_TOOL = re.compile(r"\s*(Bash|WebFetch)\s*(\(\s*(\*|:\*|\*:\*)?\s*\))?\s*")


def project_allow_judge(context: RuleContext) -> Callable[[str], str | None]:
    """The judge ``domain.settings`` applies to a project's allow rules, for this workspace."""
    return lambda text: reaches_too_far(text, context)


def project_command_rules(
    rules: Sequence[str], source: str, context: RuleContext
) -> tuple[tuple[str, ...], str | None]:
    """The ``allowed-tools`` a project's command file ``source`` may hold, and the warning
    line naming the ones refused (None when all are kept)."""
    reasons = {rule: why for rule in rules if (why := reaches_too_far(rule, context)) is not None}
    kept = tuple(rule for rule in rules if rule not in reasons)
    if not reasons:
        return kept, None
    shown = ", ".join(f"{json.dumps(rule)} ({why})" for rule, why in reasons.items())
    return kept, (
        f"{source}: ignored allowed-tools {shown}: a project's commands cannot allow these "
        "(put the command in commands/ in your config home)"
    )


def reaches_too_far(text: str, context: RuleContext) -> str | None:
    """Why a project may not hold the allow rule ``text``, or None when it may.

    The rule is tried on probes with the matcher the policy uses, so a spelling the checks
    did not foresee is judged by what it would let through."""
    try:
        rule = parse_rule(text)
    except InvalidPermissionRule:
        return None  # the policy skips it with its own warning
    if rule.tool == "WebFetch":
        return "reaches the network"
    if _WHOLE_TOOL.fullmatch(text):
        return "runs any command"
    if rule.tool == "Bash":
        if _runs_any_command(rule, context):
            return "runs any command"
        # Any arguments: a file outside the workspace (`cat *`), code (`python3 -c *`).
        return "takes any arguments" if _filled(rule.specifier or "") else None
    if rule.tool in _PATH_TOOLS:
        return "reaches outside the workspace" if _reaches_outside(rule, context) else None
    # A tool this judge does not know (an MCP server's, one added later) could do anything.
    return None if rule.tool in _HARMLESS_TOOLS else "cannot be checked"


def _runs_any_command(rule: PermissionRule, context: RuleContext) -> bool:
    program = (rule.specifier or "").split(maxsplit=1)
    if not program or _PATTERN_CHARS.intersection(program[0]):
        # Fail closed on what the probes may not reach: the program must be named literally.
        return True
    for command in (*_COMMAND_PROBES, *_filled(rule.specifier or "")):
        access = ToolAccess("Bash", "execute", command=command)
        if covering_rule([rule], access, context) is None:
            continue
        for piece in parse_command_line(command).commands:
            heads = [piece.text, *executed(piece).commands]
            if any(PROBE in (head.split() or [""])[0] for head in heads):
                return True
    return False


def _filled(spec: str) -> list[str]:
    if spec.endswith(":*"):
        return [f"{spec[:-2]} {filler}" for filler in _FILLERS]
    if "*" not in spec:
        return []
    return [spec.replace("*", filler) for filler in _FILLERS]


def _reaches_outside(rule: PermissionRule, context: RuleContext) -> bool:
    if rule.specifier is None:
        return True
    workspace = posixpath.normpath(context.workspace)
    home = posixpath.normpath(context.home)
    probes = [
        posixpath.join(home, ".ssh", "id_ed25519"),
        posixpath.join(home, ".bashrc"),
        "/etc/passwd",
        f"/{PROBE}",
        posixpath.join(posixpath.dirname(workspace), PROBE),
        *_path_fills(rule.specifier, workspace, home),
    ]
    kind: Literal["read", "write"] = "read" if rule.tool in READ_TOOLS else "write"
    tool = {"Read": "Read", "Edit": "Write"}.get(rule.tool, rule.tool)
    for path in probes:
        if path == workspace or path.startswith(workspace.rstrip("/") + "/"):
            continue
        access = ToolAccess(tool, kind, paths=(path,), outside_workspace=True)
        if covering_rule([rule], access, context) is not None:
            return True
    return False


def _path_fills(spec: str, workspace: str, home: str) -> list[str]:
    """The rule's own pattern with its wildcards filled, as an absolute path."""
    filled = spec.replace("**", f"a/{PROBE}").replace("*", PROBE).replace("?", "p")
    if filled.startswith("//"):
        absolute = "/" + filled[2:]
    elif filled == "~" or filled.startswith("~/"):
        absolute = home + "/" + filled[2:]
    else:
        absolute = workspace + "/" + filled.lstrip("/")
    return [posixpath.normpath(absolute), posixpath.normpath(absolute + f"/{PROBE}")]
