"""Options that make a command which looks read-only write files or run programs.

``Bash(git diff:*)`` reads as "let the model look at diffs", yet ``git diff --output=…``
writes any file (a hook in ``.git/hooks`` included), ``git grep -O'…'`` runs a command
through the shell, and ``git -c core.pager=… log`` runs whatever the pager is set to. So a
prefix or wildcard allow rule does not cover a piece that uses an option of this table, nor a
word hexclaw cannot read (``$X`` could become ``--output=…``), just as it does not cover a
redirection into a file: such a piece needs an exact rule or the user's approval. Deny rules
see the commands an option runs where the option names them (``git -c alias.x='!rm …'``, see
``shell_wrappers``); where it does not, the line cannot be checked and the policy asks.

This is the one table of such options. git accepts any unique abbreviation of a long option
(``--outp=x`` is ``--output=x``), so a word that is the start of a listed long option counts
too, unless it is an option of its own (``--text`` is not ``--textconv``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import attrs

from domain.permissions.shell_split import RESERVED_WORDS, Word, is_assignment
from domain.repr_base import Record

Effect = Literal["writes", "runs"]


@attrs.frozen(repr=False)
class RiskyOption(Record):
    """One option that writes or runs: ``--output`` (long) or ``O`` (a short letter)."""

    name: str
    effect: Effect


@attrs.frozen(repr=False)
class OptionTable(Record):
    """The risky options of one command, or of one git subcommand."""

    options: tuple[RiskyOption, ...] = ()
    abbreviations: bool = False  # the program takes unique prefixes of long options
    exact_options: frozenset[str] = frozenset()  # options that are prefixes of risky ones
    runs_programs: bool = False  # the command's job is running programs (git difftool)

    def long(self) -> tuple[RiskyOption, ...]:
        return tuple(o for o in self.options if o.name.startswith("-"))

    def short(self) -> tuple[RiskyOption, ...]:
        return tuple(o for o in self.options if not o.name.startswith("-"))


def _table(
    writes: str = "", runs: str = "", *, abbreviations: bool = True, **rest: object
) -> OptionTable:
    options = [RiskyOption(name, "writes") for name in writes.split()]
    options += [RiskyOption(name, "runs") for name in runs.split()]
    return OptionTable(tuple(options), abbreviations, **rest)  # type: ignore[arg-type]


# git's options before the subcommand: a config value runs as a pager, an editor, a diff or a
# hook; another folder or git dir brings its own config; --exec-path picks the subcommands.
GIT_GLOBAL = _table(
    runs="-c --config-env --exec-path -C --git-dir --work-tree --bare --namespace",
    abbreviations=False,
)
# The global options known to do neither; any other option before the subcommand is not
# understood, and counts as risky.
GIT_GLOBAL_FLAGS = frozenset(
    {
        "-p", "-P", "--paginate", "--no-pager", "--no-replace-objects", "--literal-pathspecs",
        "--glob-pathspecs", "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks",
        "--no-advice", "--no-lazy-fetch", "-v", "--version", "-h", "--help", "--html-path",
        "--man-path", "--info-path",
    }
)  # fmt: skip
# Options of git subcommands, the same for every subcommand (each is checked where it means
# what is listed; a subcommand without it would reject it anyway).
GIT_ANY = _table(
    writes="--output --output-directory",
    runs=(
        "--open-files-in-pager --ext-diff --textconv --filters --exec --upload-pack "
        "--receive-pack --extcmd --tool --template --config"
    ),
    exact_options=frozenset({"--text", "--filter", "--tool-help"}),
)
# Short options, which mean something else in each subcommand (git grep -o is harmless).
GIT_SHORT: Mapping[str, OptionTable] = {
    "grep": _table(runs="O"),
    "format-patch": _table(writes="o"),
    "archive": _table(writes="o"),
    "rebase": _table(runs="x"),
    "clone": _table(runs="c u"),
    "ls-remote": _table(runs="u"),
}
# Subcommands whose job is running programs, and actions of subcommands that run one.
GIT_RUNNING = frozenset({"difftool", "mergetool", "filter-branch", "instaweb", "web--browse"})
GIT_RUNNING_ACTIONS: Mapping[str, str] = {"submodule": "foreach", "bisect": "run"}

# Other commands often allowed by prefix that have such options (single-dash long options).
OTHER: Mapping[str, OptionTable] = {
    "find": _table(
        writes="-delete -fprint -fprint0 -fprintf -fls",
        runs="-exec -execdir -ok -okdir",
        abbreviations=False,
    ),
    "rg": _table(runs="--pre --hostname-bin"),
    "sort": _table(writes="--output o", runs="--compress-program"),
}


def risky_option(words: Sequence[Word]) -> RiskyOption | None:
    """The first option in one simple command's words that writes or runs, if its command
    has such options; a word that is not literal text counts as one (it could be any)."""
    start = 0
    while start < len(words) and (
        words[start].raw in RESERVED_WORDS or is_assignment(words[start])
    ):
        start += 1
    if start == len(words):
        return None
    name = words[start].value.rsplit("/", 1)[-1]
    args = words[start + 1 :]
    if name == "git":
        return _git(args)
    table = OTHER.get(name)
    if table is None:
        return None
    return _scan(args, table)


def _git(args: Sequence[Word]) -> RiskyOption | None:
    i = 0
    while i < len(args) and (args[i].value.startswith("-") or not args[i].literal):
        found = _option(args[i], GIT_GLOBAL)
        if found is not None:
            return found
        if args[i].value not in GIT_GLOBAL_FLAGS:
            return RiskyOption(args[i].value, "runs")  # not understood
        i += 1
    if i == len(args):
        return None
    return git_subcommand_option(args[i].value, args[i + 1 :])


def git_subcommand_option(subcommand: str, rest: Sequence[Word]) -> RiskyOption | None:
    """The first option of ``git <subcommand> <rest…>`` that writes or runs, if any."""
    if subcommand in GIT_RUNNING:
        return RiskyOption(subcommand, "runs")
    action = GIT_RUNNING_ACTIONS.get(subcommand)
    if action is not None and any(w.value == action for w in rest):
        return RiskyOption(f"{subcommand} {action}", "runs")
    found = _scan(rest, GIT_ANY)
    if found is not None:
        return found
    short = GIT_SHORT.get(subcommand)
    return None if short is None else _scan(rest, short)


def _scan(args: Sequence[Word], table: OptionTable) -> RiskyOption | None:
    for word in args:
        if not word.literal:
            return RiskyOption(word.raw, "runs")
        if word.value == "--":
            return None
        found = _option(word, table)
        if found is not None:
            return found
    return None


def _option(word: Word, table: OptionTable) -> RiskyOption | None:
    value = word.value
    if not word.literal:
        return RiskyOption(word.raw, "runs")
    if value.startswith("--") or (value.startswith("-") and not table.abbreviations):
        key = value.partition("=")[0]
        if key in table.exact_options:
            return None
        for option in table.long():
            if key == option.name:
                return option
            if table.abbreviations and len(key) > 2 and option.name.startswith(key):
                return option
    if value.startswith("-") and not value.startswith("--"):
        letters = set(value[1:])
        for option in table.short():
            if len(option.name) == 1 and option.name in letters:
                return option
    return None
