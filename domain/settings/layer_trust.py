"""Which settings each layer may set: a project folder cannot take over the user's machine.

The user's own ``settings.json`` (in the config home) and ``--settings`` are trusted: the user
wrote them. ``.claude/settings.json`` and ``.claude/settings.local.json`` come with the folder,
and a folder may be a stranger's clone, so those layers cannot:

- set ``env``: it reaches hexclaw and every tool it starts (``GIT_CONFIG_*`` runs commands
  through git, ``ANTHROPIC_BASE_URL`` sends the user's key elsewhere, ``LD_PRELOAD``...); no
  list of safe names would stay complete, so none is accepted;
- set ``apiKeyHelper`` (a command hexclaw runs), its TTL, or ``oauth`` (where a login goes);
- add a directory outside the workspace to ``permissions.additionalDirectories``;
- choose a default mode other than ``default`` or ``plan`` (``acceptEdits`` would let the
  model write files unasked, ``bypassPermissions`` everything);
- set ``cleanupPeriodDays``: it deletes the user's saved sessions of every project;
- set ``mcpServers`` (commands to run) or approve the project's own ``.mcp.json`` servers
  (``enableAllProjectMcpServers``, ``enabledMcpjsonServers``, ``disabledMcpjsonServers``);
- allow what reaches past the folder. Allow rules are judged by what they would match, not by
  how they are spelt, by a ``RuleJudge`` the caller passes in
  (``domain.permissions.project_rules``, where the matcher lives): ``Bash(**)``, ``Read(~/**)``
  and every ``WebFetch`` allow are refused; ``Bash(npm test)`` is kept. Without a judge no
  project allow rule is kept: what cannot be checked is refused.

- widen the OS sandbox: ``sandbox.excludedCommands``, ``filesystem.allowWrite``/``allowRead``,
  the network's allowed domains and sockets, or set ``enabled``, ``failIfUnavailable`` to
  false or ``allowUnsandboxedCommands``, ``autoAllowBashIfSandboxed`` to true; it may switch
  the sandbox on and narrow it.

Nor do a project's allow rules switch tools on in print mode: ``hexclaw -p`` in a stranger's
clone offers tools only when the user asked for them (flags or the user's own settings),
since the prompt can be steered by the clone's CLAUDE.md.

A ``bypassPermissions`` default mode is refused by ``permissions.py`` for every settings file,
trusted or not: only the command line switches the checks off.

Each refusal is named in one warning line per layer; the value is dropped, so an earlier
(trusted) layer's value stays in force.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

Scope = Literal["user", "project", "local", "flag"]

UNTRUSTED_KEYS = (
    "env",
    "apiKeyHelper",
    "apiKeyHelperTtlSeconds",
    "oauth",
    "cleanupPeriodDays",
    # MCP servers run commands; a project's settings must not approve its own .mcp.json.
    "mcpServers",
    "enableAllProjectMcpServers",
    "enabledMcpjsonServers",
    "disabledMcpjsonServers",
)
TRUSTED_SCOPES: frozenset[Scope] = frozenset({"user", "flag"})
# The default modes a project may choose: any other lets calls through unasked (acceptEdits
# writes files a later step may run, such as an .npmrc).
PROJECT_MODES = ("default", "plan")


class LayerTrust(NamedTuple):
    refused_keys: tuple[str, ...]
    directories_outside_workspace: bool


LAYER_TRUST: dict[Scope, LayerTrust] = {
    "user": LayerTrust((), directories_outside_workspace=True),
    "flag": LayerTrust((), directories_outside_workspace=True),
    "project": LayerTrust(UNTRUSTED_KEYS, directories_outside_workspace=False),
    "local": LayerTrust(UNTRUSTED_KEYS, directories_outside_workspace=False),
}


RuleJudge = Callable[[str], "str | None"]
"""Why a project may not hold the allow rule it is given (None: it may)."""


def unjudged(rule: str) -> str | None:
    """The judge when none is given: nothing can be checked, so nothing is kept."""
    return "cannot be checked"


def refuse_untrusted(
    scope: Scope,
    source: str,
    values: dict[str, Any],
    inside_workspace: Callable[[str], bool],
    judge: RuleJudge = unjudged,
) -> str | None:
    """Drop from ``values`` what a layer of this scope may not set; the warning, if any."""
    trust = LAYER_TRUST[scope]
    refused: list[str] = []
    for key in trust.refused_keys:
        if key in values:
            refused.append(_describe(key, values.pop(key)))
    if scope not in TRUSTED_SCOPES:
        refused += _refuse_sandbox_widening(values.get("sandbox"))
    permissions = values.get("permissions")
    if isinstance(permissions, dict):
        mode = permissions.get("defaultMode", "default")
        if scope not in TRUSTED_SCOPES and mode not in PROJECT_MODES:
            del permissions["defaultMode"]
            refused.append(f"permissions.defaultMode {json.dumps(mode)} (only default or plan)")
        directories = permissions.get("additionalDirectories")
        if not trust.directories_outside_workspace and isinstance(directories, list):
            outside = [d for d in directories if isinstance(d, str) and not inside_workspace(d)]
            if outside:
                permissions["additionalDirectories"] = [d for d in directories if d not in outside]
                refused.append(
                    "permissions.additionalDirectories "
                    + ", ".join(json.dumps(d) for d in outside)
                    + " (outside the workspace)"
                )
        allow = permissions.get("allow")
        if scope not in TRUSTED_SCOPES and isinstance(allow, list):
            reasons = {
                r: why for r in allow if isinstance(r, str) and (why := judge(r)) is not None
            }
            if reasons:
                permissions["allow"] = [r for r in allow if r not in reasons]
                shown = ", ".join(f"{json.dumps(r)} ({why})" for r, why in reasons.items())
                refused.append(f"permissions.allow {shown}")
    if not refused:
        return None
    return (
        f"{source}: ignored {'; '.join(refused)}: a project's settings cannot set these "
        "(put them in settings.json in your config home, or pass --settings)"
    )


# What would widen the sandbox, by path inside the ``sandbox`` block, and the value that
# would (None: any value).
_SANDBOX_WIDENING: tuple[tuple[tuple[str, ...], object], ...] = (
    (("enabled",), False),
    (("excludedCommands",), None),
    (("allowUnsandboxedCommands",), True),
    (("failIfUnavailable",), False),
    (("autoAllowBashIfSandboxed",), True),
    (("filesystem", "allowWrite"), None),
    (("filesystem", "allowRead"), None),
    (("network", "allowedDomains"), None),
    (("network", "allowUnixSockets"), None),
    (("network", "allowAllUnixSockets"), True),
    (("network", "allowLocalBinding"), True),
)


def _refuse_sandbox_widening(block: object) -> list[str]:
    if not isinstance(block, dict):
        return []
    refused: list[str] = []
    for path, widening in _SANDBOX_WIDENING:
        parent: Any = block
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or path[-1] not in parent:
            continue
        if widening is None or parent[path[-1]] == widening:
            del parent[path[-1]]
            refused.append("sandbox." + ".".join(path))
    return refused


def _describe(key: str, value: Any) -> str:
    if key == "env" and isinstance(value, dict) and value:
        names = sorted(str(name) for name in value)
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        return f"env ({shown})"
    return key
