"""Reading the settings.json layers from disk."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, MutableMapping
from pathlib import Path

from adapters.files.bounded_read import NotARegularFile, read_bounded
from domain.settings.layer_trust import Scope
from domain.settings.merge import (
    Settings,
    SettingsError,
    SettingsLayer,
    merge_layers,
    parse_settings_text,
    settings_env,
)


def config_home(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    # CLAUDE_CONFIG_DIR is Claude Code's name for the same folder.
    override = env.get("CLAUDE_CONFIG_HOME") or env.get("CLAUDE_CONFIG_DIR")
    return Path(override) if override else Path.home() / ".claude"


def settings_paths(workspace: Path, home: Path) -> list[Path]:
    return [path for path, _scope in _layer_files(workspace, home)]


def _layer_files(workspace: Path, home: Path) -> list[tuple[Path, Scope]]:
    return [
        (home / "settings.json", "user"),
        (workspace / ".claude" / "settings.json", "project"),
        (workspace / ".claude" / "settings.local.json", "local"),
    ]


# Far above any real settings file; a project's file is read no further than this.
MAX_SETTINGS_BYTES = 1 << 20


def read_layer(path: Path, required: bool = False, scope: Scope = "flag") -> SettingsLayer | None:
    try:
        # Only the user's --settings may be a stream (``--settings <(…)``).
        read = read_bounded(path, MAX_SETTINGS_BYTES, streams_too=scope == "flag")
        if read.cut:
            raise SettingsError(
                f"{path}: settings file is over {MAX_SETTINGS_BYTES // 1024} KiB; not read"
            )
        # Editors on Windows like to start JSON files with a byte order mark.
        text = read.data.decode("utf-8-sig")
    except NotARegularFile as exc:
        if exc.kind == "a directory":
            raise SettingsError(f"{path}: is a directory, not a settings file") from None
        raise SettingsError(f"{path}: is {exc.kind}, not a settings file") from None
    except FileNotFoundError:
        if required:
            raise SettingsError(f"{path}: settings file not found") from None
        return None
    except NotADirectoryError:
        # A project may well have a file named .claude; the config home must be a folder.
        if required or scope == "user":
            raise SettingsError(
                f"{path}: cannot read settings: {path.parent} is not a folder"
            ) from None
        return None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a directory, not a settings file") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: cannot read settings (not UTF-8 text)") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise SettingsError(f"{path}: cannot read settings ({reason})") from None
    return SettingsLayer(str(path), parse_settings_text(text, str(path)), scope)


def load_settings(
    workspace: Path,
    home: Path,
    extra: str | None = None,
    sources: Collection[str] | None = None,
) -> Settings:
    """The merged settings; ``extra`` is a file path or inline JSON (``--settings``), always
    read; ``sources`` (``--setting-sources``) limits which of user, project, local are read."""
    layers = [
        layer
        for path, scope in _layer_files(workspace, home)
        if (sources is None or scope in sources) and (layer := read_layer(path, scope=scope))
    ]
    if extra:
        if extra.lstrip().startswith("{"):
            inline = parse_settings_text(extra, "--settings")
            layers.append(SettingsLayer("--settings", inline, "flag"))
        else:
            layer = read_layer(Path(extra), required=True)
            if layer is not None:
                layers.append(layer)
    return merge_layers(layers, _inside(workspace), _project_rule_judge(workspace))


def _project_rule_judge(workspace: Path) -> Callable[[str], str | None]:
    """The judge of a project layer's allow rules. The permission rules' modules (their parser,
    the shell reader) are loaded at the first rule to judge: most starts have none."""

    def judge(text: str) -> str | None:
        from domain.permissions.project_rules import project_allow_judge
        from domain.permissions.rules import RuleContext

        context = RuleContext(workspace=os.path.realpath(workspace), home=str(Path.home()))
        return project_allow_judge(context)(text)

    return judge


def _inside(workspace: Path) -> Callable[[str], bool]:
    """Whether a directory named in settings is the workspace or under it, as the tools will
    resolve it (relative to the workspace, ``~`` expanded, symlinks followed)."""
    root = os.path.realpath(workspace)

    def inside(directory: str) -> bool:
        real = os.path.realpath(os.path.join(root, os.path.expanduser(directory)))
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    return inside


def apply_env(settings: Settings, target: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set the settings' ``env`` in this process (so the tools it starts inherit it too)."""
    env = settings_env(settings)
    (os.environ if target is None else target).update(env)
    return env
