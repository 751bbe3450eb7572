"""The settings merge as a table: layers in, merged values, provenance and warnings out."""

from __future__ import annotations

from typing import Any

import pytest

from domain.settings.merge import (
    SettingsError,
    SettingsLayer,
    config_entries,
    describe_config,
    merge_layers,
    parse_settings_text,
    settings_env,
)

USER, PROJECT, LOCAL, FLAG = "user.json", "project.json", "local.json", "--settings"

# (case, layers as (source, values), expected merged values, expected provenance)
MERGE_TABLE: list[tuple[str, list[tuple[str, dict[str, Any]]], dict[str, Any], dict[str, str]]] = [
    (
        "scalar: the later layer replaces",
        [(USER, {"model": "a"}), (PROJECT, {"model": "b"}), (LOCAL, {"model": "c"})],
        {"model": "c"},
        {"model": LOCAL},
    ),
    (
        "scalar: an absent key keeps the earlier value",
        [(USER, {"model": "a", "maxTurns": 5}), (PROJECT, {"maxTurns": 9})],
        {"model": "a", "maxTurns": 9},
        {"model": USER, "maxTurns": PROJECT},
    ),
    (
        "objects are deep-merged key by key",
        [(USER, {"env": {"A": "1", "B": "2"}}), (LOCAL, {"env": {"B": "3", "C": "4"}})],
        {"env": {"A": "1", "B": "3", "C": "4"}},
        {"env": USER, "env.A": USER, "env.B": LOCAL, "env.C": LOCAL},
    ),
    (
        "permission rule arrays are concatenated in layer order",
        [
            (USER, {"permissions": {"allow": ["Read"], "deny": ["Bash(rm:*)"]}}),
            (PROJECT, {"permissions": {"allow": ["Bash(npm test)"]}}),
            (FLAG, {"permissions": {"allow": ["Edit"], "deny": ["WebFetch"]}}),
        ],
        {
            "permissions": {
                "allow": ["Read", "Bash(npm test)", "Edit"],
                "deny": ["Bash(rm:*)", "WebFetch"],
            }
        },
        {
            "permissions.allow": f"{USER} + {PROJECT} + {FLAG}",
            "permissions.deny": f"{USER} + {FLAG}",
        },
    ),
    (
        "a permission mode is a scalar inside the object",
        [
            (USER, {"permissions": {"defaultMode": "plan", "allow": ["Read"]}}),
            (LOCAL, {"permissions": {"defaultMode": "acceptEdits"}}),
        ],
        {"permissions": {"defaultMode": "acceptEdits", "allow": ["Read"]}},
        {"permissions.defaultMode": LOCAL, "permissions.allow": USER},
    ),
    (
        "other arrays are replaced, not concatenated",
        [(USER, {"hooks": {"Stop": [1, 2]}}), (PROJECT, {"hooks": {"Stop": [3]}})],
        {"hooks": {"Stop": [3]}},
        {"hooks.Stop": PROJECT},
    ),
    (
        "an object replacing a scalar records every inner key",
        [(USER, {"oauth": {"clientId": "x", "scopes": {"a": 1}}})],
        {"oauth": {"clientId": "x", "scopes": {"a": 1}}},
        {"oauth": USER, "oauth.clientId": USER, "oauth.scopes": USER, "oauth.scopes.a": USER},
    ),
    (
        "a value of the wrong type is dropped and the earlier one survives",
        [(USER, {"model": "good", "maxTokens": 100}), (PROJECT, {"model": 7, "maxTokens": -1})],
        {"model": "good", "maxTokens": 100},
        {"model": USER, "maxTokens": USER},
    ),
]


@pytest.mark.parametrize(
    ("layers", "values", "sources"),
    [
        pytest.param(layers, values, sources, id=case)
        for case, layers, values, sources in MERGE_TABLE
    ],
)
def test_merge_table(
    layers: list[tuple[str, dict[str, Any]]], values: dict[str, Any], sources: dict[str, str]
) -> None:
    settings = merge_layers([SettingsLayer(source, v) for source, v in layers])
    assert settings.values == values
    for key, source in sources.items():
        assert settings.source_of(*key.split(".")) == source
    assert settings.layers == [source for source, _ in layers]


def test_merging_does_not_change_the_layers() -> None:
    user = {"permissions": {"allow": ["Read"]}, "env": {"A": "1"}}
    project = {"permissions": {"allow": ["Edit"]}, "env": {"A": "2"}}
    merge_layers([SettingsLayer(USER, user), SettingsLayer(PROJECT, project)])
    assert user == {"permissions": {"allow": ["Read"]}, "env": {"A": "1"}}
    assert project == {"permissions": {"allow": ["Edit"]}, "env": {"A": "2"}}


# (value, warning fragment or None when the value is accepted)
VALIDATION_TABLE: list[tuple[dict[str, Any], str | None]] = [
    ({"modle": "x"}, "unknown settings key 'modle' (ignored)"),
    ({"permissions": {"alow": []}}, "unknown settings key 'permissions.alow' (ignored)"),
    (
        {"permissions": {"allow": "Read"}},
        'permissions.allow must be a list of rule strings; got "Read"',
    ),
    ({"permissions": {"defaultMode": "yolo"}}, "permissions.defaultMode must be one of default,"),
    ({"permissions": {"defaultMode": "plan"}}, None),
    ({"env": ["A=1"]}, "env must be an object"),
    ({"env": {"A": {"nested": 1}}}, 'env.A must be a string; got {"nested": 1} (ignored)'),
    ({"env": {"A": 1, "B": True}}, None),
    ({"autoCompactThreshold": 0.7}, None),
    ({"autoCompactThreshold": 85}, "autoCompactThreshold must be a share of the context window"),
    ({"autoCompactThreshold": 0}, "autoCompactThreshold must be"),
    ({"cleanupPeriodDays": 30}, None),
    ({"cleanupPeriodDays": "30"}, "cleanupPeriodDays must be a number of days"),
    ({"maxTurns": True}, "maxTurns must be a whole number above 0"),
    ({"showThinking": "yes"}, "showThinking must be true or false"),
    ({"apiKeyHelper": "  "}, "apiKeyHelper must be a command string"),
    ({"apiKeyHelper": "pass show anthropic"}, None),
    ({"$schema": "https://json.schemastore.org/claude-code-settings.json"}, None),
]


@pytest.mark.parametrize(("values", "warning"), VALIDATION_TABLE)
def test_validation_table(values: dict[str, Any], warning: str | None) -> None:
    settings = merge_layers([SettingsLayer(PROJECT, values)])
    if warning is None:
        assert settings.warnings == []
        assert settings.values == values
    else:
        assert len(settings.warnings) == 1
        assert settings.warnings[0].startswith(f"{PROJECT}: ")
        assert warning in settings.warnings[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"model": "x",}', "f.json:1:15: invalid JSON in settings: Expecting property name"),
        (
            '{\n  "model": "x"\n  "env": {}\n}',
            "f.json:3:3: invalid JSON in settings: Expecting ','",
        ),
        ("[1, 2]", "f.json: settings must be a JSON object"),
    ],
)
def test_malformed_text_names_file_line_and_column(text: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings_text(text, "f.json")
    assert str(caught.value).startswith(message)


def test_empty_text_is_an_empty_layer() -> None:
    assert parse_settings_text(" \n", "f.json") == {}


def test_settings_env_is_strings() -> None:
    settings = merge_layers(
        [SettingsLayer(USER, {"env": {"A": "x", "N": 3, "F": 0.5, "B": False}})]
    )
    assert settings_env(settings) == {"A": "x", "N": "3", "F": "0.5", "B": "false"}
    assert settings_env(merge_layers([])) == {}


def test_config_entries_show_every_leaf_with_its_source_and_hide_secrets() -> None:
    settings = merge_layers(
        [
            SettingsLayer(USER, {"model": "m", "env": {"GITHUB_TOKEN": "ghp_x", "DEBUG": "1"}}),
            SettingsLayer(
                LOCAL,
                {"permissions": {"allow": ["Read"]}, "apiKeyHelper": "pass show key", "hooks": {}},
            ),
        ]
    )
    rows = [(e.key, e.value, e.source) for e in config_entries(settings)]
    assert rows == [
        ("model", '"m"', USER),
        ("env.GITHUB_TOKEN", "(hidden)", USER),
        ("env.DEBUG", '"1"', USER),
        ("permissions.allow", '["Read"]', LOCAL),
        ("apiKeyHelper", '"pass show key"', LOCAL),
        ("hooks", "{}", LOCAL),
    ]


def test_describe_config_lists_layers_values_and_warnings() -> None:
    settings = merge_layers(
        [SettingsLayer(USER, {"model": "m"}), SettingsLayer(PROJECT, {"colour": "red"})]
    )
    assert describe_config(settings) == [
        f"Settings merged from, in order: {USER}, {PROJECT}",
        f'  model = "m"    ({USER})',
        f"  warning: {PROJECT}: unknown settings key 'colour' (ignored)",
    ]
    assert describe_config(merge_layers([])) == [
        "No settings files were found; hexclaw uses its defaults."
    ]
