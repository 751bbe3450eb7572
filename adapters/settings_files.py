"""Reading the settings.json layers from disk."""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from domain.settings import (
    Settings,
    SettingsError,
    SettingsLayer,
    merge_layers,
    parse_settings_text,
    settings_env,
)


def config_home(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    override = env.get("CLAUDE_CONFIG_HOME")
    return Path(override) if override else Path.home() / ".claude"


def settings_paths(workspace: Path, home: Path) -> list[Path]:
    return [
        home / "settings.json",
        workspace / ".claude" / "settings.json",
        workspace / ".claude" / "settings.local.json",
    ]


def read_layer(path: Path, required: bool = False) -> SettingsLayer | None:
    try:
        # Editors on Windows like to start JSON files with a byte order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if required:
            raise SettingsError(f"{path}: settings file not found") from None
        return None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a directory, not a settings file") from None
    except (PermissionError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings ({exc.__class__.__name__})") from None
    return SettingsLayer(str(path), parse_settings_text(text, str(path)))


def load_settings(workspace: Path, home: Path, extra: str | None = None) -> Settings:
    """The merged settings; ``extra`` is a file path or inline JSON (``--settings``)."""
    layers = [layer for p in settings_paths(workspace, home) if (layer := read_layer(p))]
    if extra:
        if extra.lstrip().startswith("{"):
            layers.append(SettingsLayer("--settings", parse_settings_text(extra, "--settings")))
        else:
            layer = read_layer(Path(extra), required=True)
            if layer is not None:
                layers.append(layer)
    return merge_layers(layers)


def apply_env(settings: Settings, target: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set the settings' ``env`` in this process (so the tools it starts inherit it too)."""
    env = settings_env(settings)
    (os.environ if target is None else target).update(env)
    return env
