"""The commands a simple command really runs, seen through wrappers, for deny and ask rules.

``/bin/rm -rf x``, ``command rm -rf x``, ``sudo -u root rm -rf x``, ``xargs rm`` and
``bash -c 'rm -rf x'`` all run ``rm``, so a deny rule on ``rm`` must see each of them. This
names every command a piece runs: its command word by basename, then the command inside each
wrapper (``command``, ``env``, ``exec``, ``nohup``, ``sudo``, ``time``, ``nice``, ``timeout``,
``xargs``, ``ionice``, ``flock``, ``chroot``, ``script -c``, ``find -exec`` and more: the
table ``_WRAPPERS``), and the pieces of a body a shell runs (``bash -c``, ``sh -c``, ``eval``,
``env -S``, ``sudo -s``, ``flock -c``, ``watch``, a ``git -c alias.x='!…'`` alias). For
``git`` it also names the subcommand without the options before it, so ``Bash(git push:*)``
sees ``git -C . push``. A wrapper option it does not know makes every later word a possible
command. The result is not ``certain`` when a command name or a body is not literal text
(``$CMD``, a glob), a git option runs something it cannot see (``-c core.pager=…``,
``--upload-pack=…``), or the nesting is too deep: the policy then asks.

Allow rules do not look through wrappers: ``Bash(git diff:*)`` does not allow ``sudo git diff``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

import attrs

from domain.permissions.command_options import GIT_GLOBAL_FLAGS, git_subcommand_option
from domain.permissions.shell_split import (
    RESERVED_WORDS,
    SimpleCommand,
    Word,
    assigns_command_variable,
    is_assignment,
    normalize,
    parse_command_line,
)
from domain.repr_base import Record

_MAX_LEVEL = 8
_BUDGET = 200
_SHELLS = frozenset({"bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "yash"})
_EXEC_ACTIONS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
# git settings that run nothing; any other -c setting may name a program (core.pager,
# diff.external, core.sshCommand, core.fsmonitor, credential.helper, filter.*...).
_GIT_SAFE_CONFIG = frozenset(
    {"core.quotepath", "core.autocrlf", "init.defaultbranch", "safe.directory", "pull.rebase"}
)
_GIT_SAFE_CONFIG_PREFIXES = ("user.", "color.", "advice.", "column.", "i18n.")


@attrs.frozen(repr=False)
class Executed(Record):
    commands: tuple[str, ...]
    certain: bool


@attrs.frozen(repr=False)
class _Options(Record):
    """How a wrapper reads its options before the command it runs."""

    flags: str = ""
    valued: str = ""
    attached: str = ""  # short options whose value, if any, is attached (xargs -i{})
    body: str = ""  # short options whose value is itself a command line (env -S)
    to_shell: str = ""  # short options after which the command goes to a shell (sudo -s)
    long_flags: frozenset[str] = frozenset()
    long_valued: frozenset[str] = frozenset()
    long_body: frozenset[str] = frozenset()
    positional: int = 0  # operands before the command (timeout's duration)
    assignments: bool = False  # NAME=value words before the command (env)
    shell_value: str = ""  # short options whose value is a command line (flock -c, script -c)
    long_shell_value: frozenset[str] = frozenset()
    # Operands are not the command (script's log file, su's user), though one may be: each is
    # looked at as a possible command, and the options after it are read on.
    operands_are_files: bool = False
    always_shell: bool = False  # the words after the options go to a shell (watch)


_WRAPPERS: dict[str, _Options] = {
    "command": _Options(flags="pvV"),
    "builtin": _Options(),
    "nohup": _Options(),
    "coproc": _Options(),
    "busybox": _Options(),
    "exec": _Options(flags="cl", valued="a"),
    "setsid": _Options(flags="cfw", long_flags=frozenset({"--ctty", "--fork", "--wait"})),
    "time": _Options(
        flags="pvaq",
        valued="fo",
        long_flags=frozenset({"--portability", "--verbose", "--append", "--quiet"}),
        long_valued=frozenset({"--format", "--output"}),
    ),
    "nice": _Options(flags="0123456789", valued="n", long_valued=frozenset({"--adjustment"})),
    "timeout": _Options(
        flags="v",
        valued="sk",
        long_flags=frozenset({"--preserve-status", "--foreground", "--verbose"}),
        long_valued=frozenset({"--signal", "--kill-after"}),
        positional=1,
    ),
    "stdbuf": _Options(valued="ioe", long_valued=frozenset({"--input", "--output", "--error"})),
    "env": _Options(
        flags="0iv",
        valued="uCP",
        body="S",
        long_flags=frozenset({"--ignore-environment", "--null", "--debug"}),
        long_valued=frozenset({"--unset", "--chdir"}),
        long_body=frozenset({"--split-string"}),
        assignments=True,
    ),
    "sudo": _Options(
        flags="AbEHKklnPSVv",
        valued="CDghprRtTUu",
        to_shell="si",
        long_flags=frozenset(
            {"--askpass", "--background", "--preserve-env", "--set-home", "--non-interactive"}
        ),
        long_valued=frozenset(
            {"--user", "--group", "--host", "--prompt", "--chdir", "--role", "--type"}
        ),
    ),
    "doas": _Options(flags="nL", valued="uC", to_shell="s"),
    "ionice": _Options(
        flags="t",
        valued="cnpPu",
        long_flags=frozenset({"--ignore"}),
        long_valued=frozenset({"--class", "--classdata", "--pid", "--pgid", "--uid"}),
    ),
    "chroot": _Options(
        long_flags=frozenset({"--skip-chdir"}),
        long_valued=frozenset({"--userspec", "--groups"}),
        positional=1,
    ),
    "flock": _Options(
        flags="sxunoFe",
        valued="wE",
        shell_value="c",
        long_flags=frozenset(
            {"--shared", "--exclusive", "--unlock", "--nonblock", "--nb", "--close", "--no-fork"}
            | {"--verbose"}
        ),
        long_valued=frozenset({"--timeout", "--wait", "--conflict-exit-code"}),
        long_shell_value=frozenset({"--command"}),
        positional=1,
    ),
    "script": _Options(
        flags="aefqh",
        valued="TIOBmEo",
        attached="t",
        shell_value="c",
        long_flags=frozenset({"--append", "--return", "--flush", "--force", "--quiet"}),
        long_valued=frozenset(
            {"--log-in", "--log-out", "--log-io", "--log-timing", "--logging-format", "--echo"}
        ),
        long_shell_value=frozenset({"--command"}),
        operands_are_files=True,
    ),
    "su": _Options(
        flags="lmpPf",
        valued="sgGw",
        shell_value="cC",
        long_flags=frozenset({"--login", "--preserve-environment", "--pty"}),
        long_valued=frozenset({"--shell", "--group", "--supp-group", "--whitelist-environment"}),
        long_shell_value=frozenset({"--command", "--session-command"}),
        operands_are_files=True,
    ),
    "runuser": _Options(
        flags="lmpP",
        valued="sgGwu",
        shell_value="cC",
        long_flags=frozenset({"--login", "--preserve-environment", "--pty"}),
        long_valued=frozenset({"--shell", "--group", "--supp-group", "--user"}),
        long_shell_value=frozenset({"--command", "--session-command"}),
        operands_are_files=True,
    ),
    "unbuffer": _Options(flags="p"),
    "taskset": _Options(
        flags="acp", long_flags=frozenset({"--all-tasks", "--cpu-list"}), positional=1
    ),
    "chrt": _Options(flags="abdefiormpRv", valued="TPD", positional=1),
    "prlimit": _Options(valued="p", long_valued=frozenset({"--pid"})),
    "fakeroot": _Options(flags="uhv", valued="lisb", long_valued=frozenset({"--faked", "--lib"})),
    "watch": _Options(
        flags="bcdegtxpwr",
        valued="nq",
        long_valued=frozenset({"--interval"}),
        always_shell=True,
    ),
    # Many options each: any option makes every later word a possible command.
    "strace": _Options(),
    "ltrace": _Options(),
    "valgrind": _Options(),
    "unshare": _Options(),
    "nsenter": _Options(),
    "systemd-run": _Options(),
    "firejail": _Options(),
    "xvfb-run": _Options(),
    "catchsegv": _Options(),
    "xargs": _Options(
        flags="0rtpxo",
        valued="ILnPsdEa",
        attached="iel",
        long_flags=frozenset(
            {"--null", "--no-run-if-empty", "--verbose", "--interactive", "--exit", "--open-tty"}
        ),
        long_valued=frozenset(
            {"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars"}
        ),
    ),
}


def executed(command: SimpleCommand) -> Executed:
    """Every command ``command`` runs, each as ``name arg…`` with the name's directory dropped."""
    walk = _Walk()
    certain = walk.words(command.words, 0)
    return Executed(tuple(walk.found), certain and walk.budget > 0)


class _Walk:
    def __init__(self) -> None:
        self.found: list[str] = []
        self.budget = _BUDGET

    def words(self, words: Sequence[Word], level: int) -> bool:
        self.budget -= 1
        if level > _MAX_LEVEL or self.budget <= 0:
            return False
        start = 0
        while start < len(words) and (
            words[start].raw in RESERVED_WORDS or is_assignment(words[start])
        ):
            start += 1
        if start == len(words):
            return True
        head, args = words[start], words[start + 1 :]
        name = posixpath.basename(head.value)
        if not head.literal or not name:
            return False
        self.found.append(normalize(" ".join([name, *(w.value for w in args)])))
        if name == "function" or (name == "coproc" and len(args) > 1 and args[1].raw == "{"):
            # A definition: its name, then the body's first words (the splitter marks the
            # line dynamic, and a deny rule still sees what the body runs).
            return self.words(args[1:], level + 1) and False
        if name in _WRAPPERS:
            return self._wrapper(_WRAPPERS[name], args, level)
        if name in _SHELLS:
            return self._shell(args, level)
        if name == "git":
            return self._git(args, level)
        if name == "eval":
            return self.body(args, level)
        if name == "find":
            return self._find(args, level)
        return True

    def body(self, words: Sequence[Word], level: int) -> bool:
        """Words joined into a command line that a shell reads again."""
        if not all(w.literal for w in words):
            return False
        line = parse_command_line(" ".join(w.value for w in words))
        certain = not line.dynamic
        for piece in line.commands:
            self.found.append(piece.text)
            certain = self.words(piece.words, level + 1) and certain
        return certain

    def _wrapper(self, options: _Options, args: Sequence[Word], level: int) -> bool:
        i, operands, to_shell = 0, options.positional, options.always_shell
        certain = True
        while i < len(args):
            word = args[i]
            value = word.value
            if not word.literal:
                return self._every_suffix(args[i:], level)
            if value == "--":
                i += 1
                break
            if value.startswith("--"):
                key, equals, attached = value.partition("=")
                if key in options.long_body:
                    inline = [Word(attached, attached)] if equals else []
                    return self.body([*inline, *args[i + 1 :]], level)
                if key in options.long_shell_value:
                    line = [Word(attached, attached)] if equals else list(args[i + 1 : i + 2])
                    return self.body(line, level) and certain
                if key in options.long_valued:
                    i += 1 if equals else 2
                elif key in options.long_flags:
                    i += 1
                else:
                    return self._every_suffix(args[i + 1 :], level)
                continue
            if value.startswith("-") and len(value) > 1:
                cluster = _read_cluster(options, value[1:])
                if cluster is None:
                    return self._every_suffix(args[i + 1 :], level)
                if cluster.body is not None:
                    inline = [Word(cluster.body, cluster.body)] if cluster.body else []
                    return self.body([*inline, *args[i + 1 :]], level)
                if cluster.shell_value is not None:
                    given = cluster.shell_value
                    line = [Word(given, given)] if given else list(args[i + 1 : i + 2])
                    return self.body(line, level) and certain
                to_shell = to_shell or cluster.shell
                i += 2 if cluster.value_follows else 1
                continue
            if operands:
                operands -= 1
                i += 1
            elif options.assignments and "=" in value:
                if assigns_command_variable(value):
                    certain = False  # env PAGER=… git log runs the pager it sets
                i += 1
            elif options.operands_are_files:
                certain = self.words(args[i:], level + 1) and certain
                i += 1
            else:
                break
        if options.operands_are_files:
            return certain
        if to_shell:
            return self.body(args[i:], level) and certain
        return self.words(args[i:], level + 1) and certain

    def _every_suffix(self, args: Sequence[Word], level: int) -> bool:
        certain = True
        for k, word in enumerate(args):
            if word.literal and word.value.startswith("-"):
                continue
            certain = self.words(args[k:], level + 1) and certain
        return certain

    def _shell(self, args: Sequence[Word], level: int) -> bool:
        i, command_string = 0, False
        while i < len(args):
            word = args[i]
            value = word.value
            if not word.literal:
                return False
            if value in ("--", "-"):
                i += 1
                break
            if value.startswith("--"):
                i += 2 if value in ("--rcfile", "--init-file") else 1
                continue
            if value[:1] in "-+" and len(value) > 1:
                command_string = command_string or (value[0] == "-" and "c" in value)
                i += 2 if value[-1] in "oO" else 1
                continue
            break
        if not command_string or i >= len(args):
            return True  # a script file or standard input: nothing to read on this line
        return self.body(args[i : i + 1], level)

    def _git(self, args: Sequence[Word], level: int) -> bool:
        """git's options before the subcommand; ``-c alias.x='!…'`` bodies are read as shell
        lines, other config values that run something are not known to be harmless."""
        certain, i = True, 0
        while i < len(args) and (args[i].value.startswith("-") or not args[i].literal):
            word = args[i]
            key = word.value.partition("=")[0]
            if not word.literal:
                return False
            if word.value in ("-c", "-C", "--git-dir", "--work-tree", "--namespace"):
                if i + 1 < len(args) and not args[i + 1].literal:
                    return False
                if word.value == "-c" and i + 1 < len(args):
                    certain = self._git_config(args[i + 1].value, level) and certain
                i += 2
            elif (
                key in ("--git-dir", "--work-tree", "--namespace") or word.value in GIT_GLOBAL_FLAGS
            ):
                i += 1
            else:
                return False  # --exec-path=…, --config-env=… or an option not understood
        if i >= len(args):  # "git -C" with its value missing: git refuses it, nothing runs
            return certain
        # The subcommand as a command of its own, so deny rules such as Bash(git push:*)
        # see it whatever global options come first.
        self.found.append(normalize(" ".join(["git", *(w.value for w in args[i:])])))
        option = git_subcommand_option(args[i].value, args[i + 1 :])
        return certain and (option is None or option.effect != "runs")

    def _git_config(self, setting: str, level: int) -> bool:
        key, _, value = setting.partition("=")
        key = key.lower()
        if key.startswith("alias."):
            # "!…" runs through the shell; any other alias is a git subcommand.
            return not value.startswith("!") or self.body([Word(value[1:], value[1:])], level)
        return key in _GIT_SAFE_CONFIG or key.startswith(_GIT_SAFE_CONFIG_PREFIXES)

    def _find(self, args: Sequence[Word], level: int) -> bool:
        certain, i = True, 0
        while i < len(args):
            if args[i].value in _EXEC_ACTIONS:
                end = i + 1
                while end < len(args) and args[end].value not in (";", "+"):
                    end += 1
                certain = self.words(args[i + 1 : end], level + 1) and certain
                i = end
            i += 1
        return certain


@attrs.frozen(repr=False)
class _Cluster(Record):
    value_follows: bool = False  # the next word is an option's value
    shell: bool = False
    body: str | None = None  # a command line: attached, or "" when it is the next words
    shell_value: str | None = None  # one command line: attached, or "" when it is the next word


def _read_cluster(options: _Options, letters: str) -> _Cluster | None:
    """Reads a cluster of short options such as ``-iu`` (``iu``); None if one is unknown."""
    shell = False
    for k, letter in enumerate(letters):
        rest = letters[k + 1 :]
        if letter in options.body:
            return _Cluster(body=rest)
        if letter in options.shell_value:
            return _Cluster(shell_value=rest)
        if letter in options.valued:
            return _Cluster(value_follows=not rest, shell=shell)
        if letter in options.attached:
            return _Cluster(shell=shell)
        if letter in options.to_shell:
            shell = True
        elif letter not in options.flags:
            return None
    return _Cluster(shell=shell)
