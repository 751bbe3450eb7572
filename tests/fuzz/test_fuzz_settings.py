"""Fuzzing the settings parser: any text in any layer, then everything that reads the merge."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.auth.api_key_helper_settings import parse_helper_settings
from domain.auth.oauth_config import parse_oauth_config
from domain.conversation.compaction_plan import auto_compact_threshold
from domain.permissions.choices import PolicyChoices
from domain.permissions.policy import build_policy
from domain.permissions.rules import RuleContext
from domain.sessions.retention import cleanup_days
from domain.settings.merge import (
    KNOWN_KEYS,
    Settings,
    SettingsError,
    SettingsLayer,
    describe_config,
    merge_layers,
    parse_settings_text,
    settings_env,
)
from tests.fuzz.limits import fuzz_settings, typed_outcome, within_memory

pytestmark = pytest.mark.fuzz

CONTEXT = RuleContext(workspace="/ws", home="/home/u")
SETTINGS_KEYS = sorted(KNOWN_KEYS)
INNER_KEYS = [
    "allow",
    "deny",
    "ask",
    "defaultMode",
    "additionalDirectories",
    "authorizeUrl",
    "tokenUrl",
    "clientId",
    "scopes",
    "callbackPort",
    "callbackHost",
    "PATH",
]
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["Bash(npm test)", "Read(//etc/**)", "Bash(oops", "bypassPermissions"])
    | st.sampled_from(["http://127.0.0.1:1/x", "localhost", "plan", "form", "json", ""])
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(INNER_KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=16,
)
documents = st.dictionaries(
    st.sampled_from(SETTINGS_KEYS) | st.text(max_size=8), json_values, max_size=8
)


@st.composite
def settings_texts(draw: st.DrawFn) -> str:
    """Valid documents, the same with a few characters changed, and plain junk."""
    text = json.dumps(draw(documents), indent=draw(st.sampled_from([None, 2])))
    kind = draw(st.integers(0, 3))
    if kind == 1 and text:
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            text = (
                text[:at]
                + draw(st.sampled_from(["", ",", "}", '"', "\n", "{", "//"]))
                + text[at + draw(st.integers(0, 2)) :]
            )
    elif kind == 2:
        text = draw(st.text(max_size=60))
    elif kind == 3:
        depth = draw(st.integers(1, 100_000))
        text = '{"hooks": ' + "[" * depth + "]" * depth + "}"
    return text


def read_everything(settings: Settings) -> None:
    """What hexclaw does with merged settings at startup (none of it may crash)."""
    parse_oauth_config(settings.get("oauth"), lambda field: "settings.json")
    build_policy(settings, PolicyChoices(), CONTEXT)
    cleanup_days(settings.get("cleanupPeriodDays"))
    auto_compact_threshold(settings)
    parse_helper_settings(
        settings.get("apiKeyHelper"), settings.get("apiKeyHelperTtlSeconds"), "s", "s"
    )
    settings_env(settings)
    describe_config(settings)


def load(texts: list[str]) -> Settings:
    layers = [
        SettingsLayer(
            f"/layer{n}/settings.json", parse_settings_text(t, f"/layer{n}/settings.json")
        )
        for n, t in enumerate(texts)
    ]
    settings = merge_layers(layers)
    read_everything(settings)
    return settings


@fuzz_settings
@given(st.lists(settings_texts(), min_size=1, max_size=3))
def test_any_settings_text_is_settings_or_one_typed_error(texts: list[str]) -> None:
    size = sum(len(t) for t in texts)
    outcome = within_memory(lambda: load(texts), size)
    if isinstance(outcome, SettingsError) and "invalid JSON" in str(outcome):
        assert re.match(r"^/layer\d/settings\.json:\d+:\d+: invalid JSON", str(outcome))
    if isinstance(outcome, Settings):
        # Every layer was a JSON object (or blank), every one was merged in order, and the
        # merge holds no key that none of them had.
        documents = [json.loads(t) if t.strip() else {} for t in texts]
        assert all(isinstance(d, dict) for d in documents)
        assert outcome.layers == [f"/layer{n}/settings.json" for n in range(len(texts))]
        assert set(outcome.values) <= {key for d in documents for key in d}


@fuzz_settings
@given(documents)
def test_a_document_that_parses_is_read_without_crashing(document: dict[str, Any]) -> None:
    outcome = typed_outcome(lambda: merge_layers([SettingsLayer("s.json", document)]))
    assert isinstance(outcome, Settings)  # a parsed document always merges, with warnings
    assert outcome.layers == ["s.json"]
    assert set(outcome.values) <= set(document)
    typed_outcome(lambda: read_everything(outcome))
