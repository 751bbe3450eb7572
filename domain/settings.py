"""Merging settings layers (user, project, local, --settings) with provenance.

Objects are deep-merged, the permission rule lists are concatenated, and any
other value is replaced by the later layer. Each leaf remembers which file set it.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from domain.errors import HexclawError

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
        "hooks",
        "showThinking",
        "autoCompactThreshold",
        "maxTokens",
        "maxTurns",
        "$schema",
    }
)


class SettingsError(HexclawError):
    """A settings file cannot be used; the message names the file (and line and column)."""


@attrs.frozen
class SettingsLayer:
    source: str
    values: dict[str, Any]


@attrs.define
class Settings:
    values: dict[str, Any] = attrs.field(factory=dict)
    sources: dict[str, str] = attrs.field(factory=dict)
    warnings: list[str] = attrs.field(factory=list)

    def get(self, *path: str, default: Any = None) -> Any:
        node: Any = self.values
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def source_of(self, *path: str) -> str | None:
        return self.sources.get(".".join(path))


def merge_layers(layers: list[SettingsLayer]) -> Settings:
    settings = Settings()
    for layer in layers:
        for key in layer.values:
            if key not in KNOWN_KEYS:
                settings.warnings.append(f"{layer.source}: unknown settings key {key!r} (ignored)")
        _merge_into(settings, settings.values, layer.values, (), layer.source)
    return settings


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
    if not isinstance(value, dict):
        raise SettingsError(f"{source}: settings must be a JSON object")
    return value
