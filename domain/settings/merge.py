"""Merging settings layers (user, project, local, --settings) with provenance.

Objects are deep-merged, the permission rule lists are concatenated, and any
other value is replaced by the later layer. Each leaf remembers which file set it.
An unknown key is a warning; a value of the wrong type is a warning too and is dropped
from its layer, so an earlier layer's good value survives. Only a file that is not JSON
(or not an object) is an error. Claude Code's other documented keys are ignored quietly, so a
file shared with Claude Code is not noise on every run. What a project's layers may not set is
``settings_trust.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from domain.errors import HexclawError
from domain.permission_modes import PERMISSION_MODES
from domain.secret_names import looks_secret
from domain.settings.layer_trust import (
    TRUSTED_SCOPES,
    RuleJudge,
    Scope,
    refuse_untrusted,
    unjudged,
)

CONCATENATED_LISTS = frozenset(
    {
        ("permissions", "allow"),
        ("permissions", "ask"),
        ("permissions", "deny"),
        ("permissions", "additionalDirectories"),
    }
)
KNOWN_KEYS = frozenset(
    {
        "model",
        "permissions",
        "env",
        "oauth",
        "apiKeyHelper",
        "apiKeyHelperTtlSeconds",
        "cleanupPeriodDays",
        "checkpointMaxBytes",
        "checkpointMaxFileBytes",
        "hooks",
        "disableAllHooks",
        "showThinking",
        "alwaysThinkingEnabled",
        "effortLevel",
        "autoCompactThreshold",
        "maxTokens",
        "maxTurns",
        "sandbox",
        "worktree",
        "$schema",
        # MCP servers (domain/mcp): which project servers the user approves, user-only.
        "mcpServers",
        "enableAllProjectMcpServers",
        "enabledMcpjsonServers",
        "disabledMcpjsonServers",
    }
)
# Documented Claude Code settings that hexclaw has no use for: dropped without a warning.
CLAUDE_CODE_ONLY_KEYS = frozenset(
    {
        "autoUpdates",
        "awsAuthRefresh",
        "awsCredentialExport",
        "companyAnnouncements",
        "enabledPlugins",
        "extraKnownMarketplaces",
        "forceLoginMethod",
        "forceLoginOrgUUID",
        "includeCoAuthoredBy",
        "otelHeadersHelper",
        "outputStyle",
        "preferredNotifChannel",
        "spinnerTipsEnabled",
        "statusLine",
        "subagentStatusLine",
        "theme",
        "verbose",
    }
)
HIDDEN = "(hidden)"
MAX_NESTING = 64


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _fraction(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# key path -> (test, what the value must be); a value failing its test is dropped.
VALUE_RULES: dict[tuple[str, ...], tuple[Callable[[Any], bool], str]] = {
    ("model",): (lambda v: isinstance(v, str) and bool(v.strip()), "a model name"),
    ("permissions",): (lambda v: isinstance(v, dict), "an object"),
    ("permissions", "allow"): (_strings, "a list of rule strings"),
    ("permissions", "ask"): (_strings, "a list of rule strings"),
    ("permissions", "deny"): (_strings, "a list of rule strings"),
    ("permissions", "additionalDirectories"): (_strings, "a list of directory strings"),
    ("permissions", "defaultMode"): (
        lambda v: v in PERMISSION_MODES,
        "one of " + ", ".join(PERMISSION_MODES),
    ),
    ("permissions", "disableBypassPermissionsMode"): (
        lambda v: v == "disable",
        '"disable"',
    ),
    ("env",): (lambda v: isinstance(v, dict), "an object of variable names to strings"),
    ("oauth",): (lambda v: isinstance(v, dict), "an object"),
    ("apiKeyHelper",): (lambda v: isinstance(v, str) and bool(v.strip()), "a command string"),
    ("apiKeyHelperTtlSeconds",): (_non_negative_number, "a number of seconds"),
    ("cleanupPeriodDays",): (_non_negative_number, "a number of days"),
    ("checkpointMaxBytes",): (_positive_int, "a whole number of bytes above 0"),
    ("checkpointMaxFileBytes",): (_positive_int, "a whole number of bytes above 0"),
    ("hooks",): (lambda v: isinstance(v, dict), "an object"),
    ("disableAllHooks",): (lambda v: isinstance(v, bool), "true or false"),
    ("showThinking",): (lambda v: isinstance(v, bool), "true or false"),
    ("alwaysThinkingEnabled",): (lambda v: isinstance(v, bool), "true or false"),
    ("effortLevel",): (
        lambda v: v in ("low", "medium", "high", "xhigh", "max"),
        "one of low, medium, high, xhigh, max",
    ),
    ("autoCompactThreshold",): (_fraction, "a share of the context window above 0, up to 1"),
    ("maxTokens",): (_positive_int, "a whole number above 0"),
    ("maxTurns",): (_positive_int, "a whole number above 0"),
    # Its keys are checked where the sandbox reads them (domain/sandbox/config.py).
    ("sandbox",): (lambda v: isinstance(v, dict), "an object"),
    ("worktree",): (lambda v: isinstance(v, dict), "an object"),
    # "head": worktree subagents start from local HEAD, not the default branch (origin/HEAD).
    ("worktree", "baseRef"): (lambda v: isinstance(v, str), 'a string ("head")'),
    ("$schema",): (lambda v: isinstance(v, str), "a string"),
    ("mcpServers",): (lambda v: isinstance(v, dict), "an object of MCP servers"),
    ("enableAllProjectMcpServers",): (lambda v: isinstance(v, bool), "true or false"),
    ("enabledMcpjsonServers",): (_strings, "a list of server names"),
    ("disabledMcpjsonServers",): (_strings, "a list of server names"),
}
KNOWN_PERMISSION_KEYS = frozenset(p[1] for p in VALUE_RULES if p[0] == "permissions" and len(p) > 1)


class SettingsError(HexclawError):
    """A settings file cannot be used; the message names the file (and line and column)."""


class SettingsLayer(NamedTuple):
    source: str
    values: dict[str, Any]
    scope: Scope = "user"
    """Where the layer came from, which decides what it may set (``settings_trust.py``)."""


class HookLayer(NamedTuple):
    source: str
    scope: Scope
    hooks: dict[str, Any] | None
    disable_all: bool = False


class Settings:
    """The merged settings, and what the merge found on the way."""

    __slots__ = (
        "hook_layers",
        "layers",
        "project_allow",
        "sources",
        "untrusted_sources",
        "user_asked_for_tools",
        "values",
        "warnings",
    )

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        sources: dict[str, str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.values: dict[str, Any] = {} if values is None else values
        self.sources: dict[str, str] = {} if sources is None else sources
        self.warnings: list[str] = [] if warnings is None else warnings
        self.layers: list[str] = []
        """The sources that were merged, in order."""
        self.user_asked_for_tools = False
        """A trusted layer (the user's own settings or --settings) allows tools or sets a
        mode."""
        self.untrusted_sources: list[str] = []
        """The layers that came with the folder (a project's settings), by source."""
        self.project_allow: set[str] = set()
        """Allow rules only the folder's layers hold (no trusted layer repeats them): they
        may not let a command out of the OS sandbox."""
        self.hook_layers: list[HookLayer] = []
        """Each layer's own ``hooks`` and ``disableAllHooks``: hooks of several files add up
        (and a project's need approval), which the merged values cannot tell."""

    def __repr__(self) -> str:
        return f"Settings(values={self.values!r}, layers={self.layers!r})"

    def get(self, *path: str, default: Any = None) -> Any:
        node: Any = self.values
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def source_of(self, *path: str) -> str | None:
        return self.sources.get(".".join(path))


def merge_layers(
    layers: list[SettingsLayer],
    inside_workspace: Callable[[str], bool] = lambda _: False,
    judge: RuleJudge = unjudged,
) -> Settings:
    """``inside_workspace`` says whether a project layer's additional directory stays inside
    the workspace (symlinks followed); by default none does. ``judge`` says why a project layer
    may not hold an allow rule; by default it may hold none."""
    settings = Settings()
    trusted: set[str] = set()
    for layer in layers:
        values = _checked(layer, settings.warnings, inside_workspace, judge)
        hooks, disable = values.get("hooks"), values.get("disableAllHooks") is True
        if hooks or disable:
            settings.hook_layers.append(HookLayer(layer.source, layer.scope, hooks, disable))
        settings.layers.append(layer.source)
        if layer.scope not in TRUSTED_SCOPES:
            settings.untrusted_sources.append(layer.source)
        permissions = values.get("permissions")
        if (
            layer.scope in TRUSTED_SCOPES
            and isinstance(permissions, dict)
            and (permissions.get("allow") or permissions.get("defaultMode"))
        ):
            settings.user_asked_for_tools = True
        _merge_into(settings, settings.values, values, (), layer.source)
        allow = permissions.get("allow") if isinstance(permissions, dict) else None
        texts = (
            {rule for rule in allow if isinstance(rule, str)} if isinstance(allow, list) else set()
        )
        if layer.scope in TRUSTED_SCOPES:
            trusted |= texts
        else:
            settings.project_allow |= texts
    settings.project_allow -= trusted
    return settings


def _checked(
    layer: SettingsLayer,
    warnings: list[str],
    inside_workspace: Callable[[str], bool],
    judge: RuleJudge,
) -> dict[str, Any]:
    """The layer's values without those of the wrong type; a warning for each problem."""
    values: dict[str, Any] = _copy(layer.values)
    for key in layer.values:
        if key in CLAUDE_CODE_ONLY_KEYS:
            del values[key]
        elif key not in KNOWN_KEYS:
            warnings.append(f"{layer.source}: unknown settings key {key!r} (ignored)")
            del values[key]
    refusal = refuse_untrusted(layer.scope, layer.source, values, inside_workspace, judge)
    if refusal is not None:
        warnings.append(refusal)
    permissions = values.get("permissions")
    if isinstance(permissions, dict):
        for key in list(permissions):
            if key not in KNOWN_PERMISSION_KEYS:
                warnings.append(
                    f"{layer.source}: unknown settings key 'permissions.{key}' (ignored)"
                )
                del permissions[key]
    for path, (test, expected) in VALUE_RULES.items():
        parent: Any = values
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or path[-1] not in parent:
            continue
        if not test(parent[path[-1]]):
            warnings.append(
                f"{layer.source}: {'.'.join(path)} must be {expected}; "
                f"got {json.dumps(parent[path[-1]])} (ignored)"
            )
            del parent[path[-1]]
    env = values.get("env")
    if isinstance(env, dict):
        for name, value in list(env.items()):
            if not isinstance(value, str | int | float | bool):
                warnings.append(
                    f"{layer.source}: env.{name} must be a string; got {json.dumps(value)} "
                    "(ignored)"
                )
                del env[name]
    return values


def _merge_into(
    settings: Settings,
    target: dict[str, Any],
    incoming: dict[str, Any],
    path: tuple[str, ...],
    source: str,
) -> None:
    for key, value in incoming.items():
        here = (*path, key)
        dotted = ".".join(here)
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            _merge_into(settings, current, value, here, source)
        elif here in CONCATENATED_LISTS and isinstance(value, list) and isinstance(current, list):
            target[key] = current + value
            settings.sources[dotted] = f"{settings.sources.get(dotted, '')} + {source}".lstrip(" +")
        else:
            target[key] = _copy(value)
            settings.sources[dotted] = source
            if isinstance(value, dict):
                _record_sources(settings, value, here, source)


def _record_sources(
    settings: Settings, value: dict[str, Any], path: tuple[str, ...], source: str
) -> None:
    for key, inner in value.items():
        settings.sources[".".join((*path, key))] = source
        if isinstance(inner, dict):
            _record_sources(settings, inner, (*path, key), source)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def parse_settings_text(text: str, source: str) -> dict[str, Any]:
    """Parse one settings file's text; errors name the file, line and column."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"{source}:{exc.lineno}:{exc.colno}: invalid JSON in settings: {exc.msg}"
        ) from None
    except RecursionError:
        raise SettingsError(f"{source}: settings nest too deeply to read") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{source}: settings must be a JSON object")
    if _nesting_exceeds(value, MAX_NESTING):
        # Merging and listing settings recurse; a file nested this deep would crash them.
        raise SettingsError(f"{source}: settings nest more than {MAX_NESTING} levels deep")
    return value


def _nesting_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def settings_env(settings: Settings) -> dict[str, str]:
    """The ``env`` variables to set for hexclaw and every process it starts."""
    env = settings.get("env", default={})
    if not isinstance(env, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in env.items()}


class ConfigEntry(NamedTuple):
    """One value of the merged settings, for ``/config``; secret-looking values are hidden."""

    key: str
    value: str
    source: str


def config_entries(settings: Settings) -> list[ConfigEntry]:
    entries: list[ConfigEntry] = []
    _flatten(settings, settings.values, (), entries)
    return entries


def _flatten(
    settings: Settings, node: dict[str, Any], path: tuple[str, ...], out: list[ConfigEntry]
) -> None:
    for key, value in node.items():
        here = (*path, key)
        if isinstance(value, dict) and value:
            _flatten(settings, value, here, out)
            continue
        shown = HIDDEN if _is_secret_path(here) else json.dumps(value, ensure_ascii=False)
        out.append(ConfigEntry(".".join(here), shown, settings.source_of(*here) or "?"))


def _is_secret_path(path: tuple[str, ...]) -> bool:
    # Only names under env and oauth hold credentials; "apiKeyHelper" is a command, not a key.
    return len(path) > 1 and path[0] in ("env", "oauth") and looks_secret(path[-1])


def describe_config(settings: Settings) -> list[str]:
    """The ``/config`` listing: every merged value and the file (or files) it came from."""
    if not settings.layers:
        return ["No settings files were found; hexclaw uses its defaults."]
    lines = ["Settings merged from, in order: " + ", ".join(settings.layers)]
    entries = config_entries(settings)
    if not entries:
        lines.append("  (the files set nothing)")
    lines += [f"  {e.key} = {e.value}    ({e.source})" for e in entries]
    lines += [f"  warning: {w}" for w in settings.warnings]
    return lines
