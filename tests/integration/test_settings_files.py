"""The settings layers read from real files: order, --settings, errors, and env."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.files.settings_files import apply_env, config_home, load_settings, settings_paths
from domain.settings.merge import SettingsError, describe_config


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "claude-home"
    workspace = tmp_path / "workspace"
    (workspace / ".claude").mkdir(parents=True)
    home.mkdir()
    return workspace, home


def write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def test_layers_merge_user_project_local_then_flag(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    user = write(
        home / "settings.json",
        {"model": "u", "permissions": {"allow": ["Read"]}, "env": {"A": "u"}},
    )
    project = write(
        workspace / ".claude" / "settings.json",
        {"model": "p", "permissions": {"allow": ["Edit(src/**)"]}, "env": {"A": "p"}},
    )
    local = write(
        workspace / ".claude" / "settings.local.json",
        {"permissions": {"ask": ["WebFetch"]}, "env": {"A": "l", "B": "l"}},
    )
    extra = write(
        workspace / "extra.json",
        {"model": "x", "permissions": {"deny": ["Bash"]}, "env": {"B": "x"}},
    )
    settings = load_settings(workspace, home, str(extra))
    # env from the project's own files is refused; the user's and --settings' env stand.
    assert settings.values == {
        "model": "x",
        "permissions": {"allow": ["Read", "Edit(src/**)"], "ask": ["WebFetch"], "deny": ["Bash"]},
        "env": {"A": "u", "B": "x"},
    }
    assert settings.layers == [str(user), str(project), str(local), str(extra)]
    assert settings.source_of("permissions", "allow") == f"{user} + {project}"
    assert settings.source_of("env", "A") == str(user)
    assert settings.source_of("env", "B") == str(extra)
    assert settings.source_of("model") == str(extra)
    assert [w.split(": ignored ")[0] for w in settings.warnings] == [str(project), str(local)]
    assert f'  model = "x"    ({extra})' in describe_config(settings)


def test_inline_json_is_a_layer_too(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    write(home / "settings.json", {"model": "u"})
    settings = load_settings(workspace, home, '{"model": "inline"}')
    assert settings.get("model") == "inline"
    assert settings.source_of("model") == "--settings"


def test_missing_files_are_skipped_but_a_missing_flag_file_is_an_error(
    layout: tuple[Path, Path],
) -> None:
    workspace, home = layout
    assert load_settings(workspace, home).layers == []
    with pytest.raises(SettingsError, match=r"nope\.json: settings file not found"):
        load_settings(workspace, home, str(workspace / "nope.json"))


def test_malformed_file_names_file_line_and_column(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    bad = workspace / ".claude" / "settings.json"
    bad.write_text('{\n  "model": "x",\n  "env": {"A": 1,}\n}\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(workspace, home)
    assert str(caught.value).startswith(f"{bad}:3:18: invalid JSON in settings")


def test_directory_instead_of_file_is_an_error(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    (home / "settings.json").mkdir()
    with pytest.raises(SettingsError, match="is a directory"):
        load_settings(workspace, home)


def test_byte_order_mark_and_unknown_keys(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    path = home / "settings.json"
    path.write_bytes(b'\xef\xbb\xbf{"model": "bom", "colour": "red"}')
    settings = load_settings(workspace, home)
    assert settings.get("model") == "bom"
    assert settings.warnings == [f"{path}: unknown settings key 'colour' (ignored)"]


def test_config_home_and_paths(tmp_path: Path) -> None:
    assert config_home({"CLAUDE_CONFIG_HOME": str(tmp_path)}) == tmp_path
    assert config_home({}) == Path.home() / ".claude"
    assert settings_paths(tmp_path / "w", tmp_path / "h") == [
        tmp_path / "h" / "settings.json",
        tmp_path / "w" / ".claude" / "settings.json",
        tmp_path / "w" / ".claude" / "settings.local.json",
    ]


def test_apply_env_sets_the_variables(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    write(home / "settings.json", {"env": {"HEXCLAW_TEST_A": "1", "HEXCLAW_TEST_N": 2}})
    target = {"HEXCLAW_TEST_A": "old", "OTHER": "kept"}
    applied = apply_env(load_settings(workspace, home), target)
    assert applied == {"HEXCLAW_TEST_A": "1", "HEXCLAW_TEST_N": "2"}
    assert target == {"HEXCLAW_TEST_A": "1", "HEXCLAW_TEST_N": "2", "OTHER": "kept"}


def test_project_directories_must_stay_inside_the_workspace_links_followed(
    layout: tuple[Path, Path], tmp_path: Path
) -> None:
    workspace, home = layout
    (workspace / "sub").mkdir()
    (workspace / "escape").symlink_to("/")
    dirs = ["sub", "./sub/../sub", "escape", "/", "~", "..", str(tmp_path)]
    project = write(
        workspace / ".claude" / "settings.json", {"permissions": {"additionalDirectories": dirs}}
    )
    settings = load_settings(workspace, home)
    assert settings.get("permissions", "additionalDirectories") == ["sub", "./sub/../sub"]
    [warning] = settings.warnings
    assert warning.startswith(
        f'{project}: ignored permissions.additionalDirectories "escape", "/", "~", "..", '
    )
    write(home / "settings.json", {"permissions": {"additionalDirectories": ["/"]}})
    assert load_settings(workspace, home).get("permissions", "additionalDirectories")[0] == "/"


def test_project_env_never_reaches_the_process(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    write(workspace / ".claude" / "settings.local.json", {"env": {"GIT_CONFIG_COUNT": "1"}})
    target: dict[str, str] = {}
    assert apply_env(load_settings(workspace, home), target) == {}
    assert target == {}


def test_a_config_home_that_is_a_file_is_one_settings_error(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    not_a_folder = home / "file"
    not_a_folder.write_text("x")
    with pytest.raises(SettingsError) as caught:
        load_settings(workspace, not_a_folder)
    assert str(caught.value) == (
        f"{not_a_folder / 'settings.json'}: cannot read settings: {not_a_folder} is not a folder"
    )


def test_a_project_with_a_file_named_dot_claude_has_no_project_settings(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / ".claude").write_text("not a folder")
    assert load_settings(workspace, tmp_path / "no-home").layers == []


def test_any_other_read_failure_is_one_settings_error(layout: tuple[Path, Path]) -> None:
    workspace, home = layout
    loop = home / "settings.json"
    loop.symlink_to(loop)  # ELOOP: an OSError that is none of the usual ones
    with pytest.raises(SettingsError, match=r"settings\.json: cannot read settings \(Too many"):
        load_settings(workspace, home)
