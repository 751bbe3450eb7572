"""The programs a repository's own git config can make git run, and the settings that keep
hexclaw's own git calls from running them.

hexclaw runs git to look at a folder (the prompt's status and log, the checkpoints' file list,
``/diff``) and to make and settle subagents' worktrees: in a folder it was just handed, and
after sandboxed commands that could write the repository's config. git runs programs that
config names: ``core.fsmonitor`` on ``status`` and ``ls-files``, a filter driver's ``clean``
or ``process`` command on any file whose times no longer match the index (every file of an
unpacked archive), a ``smudge`` command on checkout, hooks, a signature program when logs
show signatures, and whatever a submodule's own config names when ``status`` looks inside it.
git also fetches an object it lacks from a "promisor" remote the config names, running the
config's ssh command, upload-pack or credential helper; and a folder whose ``.git`` is gone
but which holds ``HEAD``, ``objects/`` and ``refs/`` itself is read as a bare repository,
with the config of its own that a command could have written there.
So every git call hexclaw makes:
- switches off the fsmonitor, hooks and signature display, and refuses to read a folder as a
  bare repository unless told to (``FIXED_SETTINGS``);
- fetches nothing and speaks no transport (``FIXED_VARIABLES``);
- empties the filter commands the repository itself defines (``repository_filters``, read
  from ``git config --show-scope``): the user's own (global, system: git-lfs's) still run;
- does not look inside submodules' working trees (the callers' ``--ignore-submodules``);
- checks files out (a new worktree) only once the filters of that checkout are known.

The settings travel in ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``, which
take a key and a value apart (``-c key=value`` cannot name a filter whose name holds ``=``),
outrank every config file, and reach the git processes git starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FIXED_SETTINGS: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("log.showSignature", "false"),
    ("safe.bareRepository", "explicit"),
)
FIXED_VARIABLES: tuple[tuple[str, str], ...] = (
    # A missing object is an error, not a fetch from the remote the config names.
    ("GIT_NO_LAZY_FETCH", "1"),
    # No transport at all (an empty list outranks every protocol.*.allow).
    ("GIT_ALLOW_PROTOCOL", ""),
)
# Commands that read no file's content (so run no filter): the repository's config need not
# be read for them. Any other command gets its filters emptied.
FILTERLESS_COMMANDS = frozenset({"rev-parse", "branch", "ls-files"})
# `git config` with these arguments lists the filter commands and where each is set, as
# "scope NUL key LF value NUL" records.
FILTER_LISTING = (
    "config",
    "--show-scope",
    "-z",
    "--get-regexp",
    r"^filter\..*\.(clean|smudge|process)$",
)
# Scopes the user owns; anything else (local, worktree, an include of them) came with the
# repository.
USER_SCOPES = frozenset({"global", "system", "command"})


def repository_filters(listing: str) -> list[str]:
    """The filter command keys the repository defines, from ``FILTER_LISTING``'s output."""
    fields = listing.split("\0")
    keys: list[str] = []
    for scope, entry in zip(fields[0::2], fields[1::2], strict=False):
        key = entry.partition("\n")[0]
        if scope not in USER_SCOPES and key not in keys:
            keys.append(key)
    return keys


def settings_for(filters: Iterable[str]) -> list[tuple[str, str]]:
    """``FIXED_SETTINGS`` and an empty command for each filter key (git then runs none)."""
    return [*FIXED_SETTINGS, *((key, "") for key in filters)]


def git_environment(
    environment: Mapping[str, str], settings: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """``environment`` with ``FIXED_VARIABLES``, and ``settings`` added after any
    ``GIT_CONFIG_COUNT`` entries it already has (the later entry of a key wins)."""
    merged = {**environment, **dict(FIXED_VARIABLES)}
    try:
        count = max(0, int(merged.get("GIT_CONFIG_COUNT", "0")))
    except ValueError:
        count = 0
    for key, value in settings:
        merged[f"GIT_CONFIG_KEY_{count}"] = key
        merged[f"GIT_CONFIG_VALUE_{count}"] = value
        count += 1
    merged["GIT_CONFIG_COUNT"] = str(count)
    return merged
