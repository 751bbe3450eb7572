"""The settings that keep hexclaw's own git calls from running what a repository's config
names: which filter commands are the repository's, and how the settings reach git."""

from __future__ import annotations

from domain.subagents.worktree_plan import submodule_paths
from domain.trust.git_programs import (
    FILTER_LISTING,
    FILTERLESS_COMMANDS,
    FIXED_SETTINGS,
    FIXED_VARIABLES,
    git_environment,
    repository_filters,
    settings_for,
)


def listing(*records: tuple[str, str, str]) -> str:
    return "".join(f"{scope}\0{key}\n{value}\0" for scope, key, value in records)


def test_the_fixed_settings_switch_off_fsmonitor_hooks_signatures_and_bare_folders() -> None:
    assert dict(FIXED_SETTINGS) == {
        "core.fsmonitor": "false",
        "core.hooksPath": "/dev/null",
        "log.showSignature": "false",
        "safe.bareRepository": "explicit",
    }


def test_git_fetches_nothing_and_speaks_no_transport() -> None:
    env = git_environment({"GIT_ALLOW_PROTOCOL": "ssh:file", "GIT_NO_LAZY_FETCH": "0"}, [])
    assert env["GIT_NO_LAZY_FETCH"] == "1"
    assert env["GIT_ALLOW_PROTOCOL"] == ""
    assert dict(FIXED_VARIABLES) == {"GIT_NO_LAZY_FETCH": "1", "GIT_ALLOW_PROTOCOL": ""}


def test_only_commands_that_read_no_file_skip_reading_the_filters() -> None:
    assert {"rev-parse", "branch", "ls-files"} == FILTERLESS_COMMANDS


def test_the_listing_asks_for_every_filter_command_with_its_scope() -> None:
    assert FILTER_LISTING[:4] == ("config", "--show-scope", "-z", "--get-regexp")
    pattern = FILTER_LISTING[4]
    assert pattern == r"^filter\..*\.(clean|smudge|process)$"


def test_only_the_repositorys_own_filters_are_emptied() -> None:
    found = repository_filters(
        listing(
            ("global", "filter.lfs.process", "git-lfs filter-process"),
            ("system", "filter.sys.clean", "sys"),
            ("command", "filter.cli.smudge", "cli"),
            ("local", "filter.top.clean", "touch /tmp/x"),
            ("local", "filter.top.process", "evil"),
            ("worktree", "filter.wt.smudge", "evil"),
            ("local", "filter.top.clean", "again, from an include"),
        )
    )
    assert found == ["filter.top.clean", "filter.top.process", "filter.wt.smudge"]


def test_a_value_with_line_breaks_or_a_name_with_signs_is_read_whole() -> None:
    found = repository_filters(
        listing(("local", "filter.a=b c.clean", "first line\nsecond line"), ("global", "x", "y"))
    )
    assert found == ["filter.a=b c.clean"]


def test_nothing_listed_is_nothing_emptied() -> None:
    assert repository_filters("") == []


def test_each_filter_gets_an_empty_command_after_the_fixed_settings() -> None:
    assert settings_for(["filter.top.clean"]) == [*FIXED_SETTINGS, ("filter.top.clean", "")]


def test_the_settings_come_after_the_ones_already_in_the_environment() -> None:
    env = git_environment(
        {"PATH": "/bin", "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.abbrev"},
        [("core.fsmonitor", "false"), ("filter.a=b.clean", "")],
    )
    assert env == {
        "PATH": "/bin",
        **dict(FIXED_VARIABLES),
        "GIT_CONFIG_COUNT": "3",
        "GIT_CONFIG_KEY_0": "core.abbrev",
        "GIT_CONFIG_KEY_1": "core.fsmonitor",
        "GIT_CONFIG_VALUE_1": "false",
        "GIT_CONFIG_KEY_2": "filter.a=b.clean",
        "GIT_CONFIG_VALUE_2": "",
    }


def test_a_count_that_is_no_number_or_negative_starts_from_zero() -> None:
    for count in ("many", "-4"):
        env = git_environment({"GIT_CONFIG_COUNT": count}, [("core.fsmonitor", "false")])
        assert env["GIT_CONFIG_COUNT"] == "1"
        assert env["GIT_CONFIG_KEY_0"] == "core.fsmonitor"


def test_the_caller_environment_is_left_as_it_was() -> None:
    before = {"GIT_CONFIG_COUNT": "0"}
    git_environment(before, FIXED_SETTINGS)
    assert before == {"GIT_CONFIG_COUNT": "0"}


def test_submodules_are_the_index_entries_of_mode_160000() -> None:
    stage = (
        "100644 0123abcd 0\ta.txt\0"
        "160000 89abcdef 0\tlibs/sub\0"
        "120000 fedcba98 0\tlink\0"
        "160000 76543210 0\tname with\ttab\0"
    )
    assert submodule_paths(stage) == ["libs/sub", "name with\ttab"]
    assert submodule_paths("") == []
