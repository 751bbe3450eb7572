"""What the wrapper walker says a command executes, for every wrapper, option, shell and
find action it knows: one case per table entry, so dropping any entry fails a test.

The tables below are written from the programs' manuals, not imported from the walker: a
known option is skipped (with its value), so the walker names exactly the wrapped command;
an option it does not know makes every later word a possible command, which shows as extra
names (``x`` alone below).
"""

from __future__ import annotations

import attrs
import pytest

from domain.permissions.shell_split import parse_command_line
from domain.permissions.shell_wrappers import Executed, executed


def run(line: str) -> Executed:
    [command] = parse_command_line(line).commands
    return executed(command)


@attrs.frozen
class Wrapper:
    flags: str = ""
    valued: str = ""
    attached: str = ""
    long_flags: tuple[str, ...] = ()
    long_valued: tuple[str, ...] = ()
    operand: str = ""  # an operand before the command (timeout's duration)
    files: bool = False  # operands are files or users, each looked at as a possible command


WRAPPERS = {
    "command": Wrapper(flags="pvV"),
    "builtin": Wrapper(),
    "nohup": Wrapper(),
    "coproc": Wrapper(),
    "busybox": Wrapper(),
    "exec": Wrapper(flags="cl", valued="a"),
    "setsid": Wrapper(flags="cfw", long_flags=("--ctty", "--fork", "--wait")),
    "time": Wrapper(
        flags="pvaq",
        valued="fo",
        long_flags=("--portability", "--verbose", "--append", "--quiet"),
        long_valued=("--format", "--output"),
    ),
    "nice": Wrapper(flags="0123456789", valued="n", long_valued=("--adjustment",)),
    "timeout": Wrapper(
        flags="v",
        valued="sk",
        long_flags=("--preserve-status", "--foreground", "--verbose"),
        long_valued=("--signal", "--kill-after"),
        operand="5",
    ),
    "stdbuf": Wrapper(valued="ioe", long_valued=("--input", "--output", "--error")),
    "env": Wrapper(
        flags="0iv",
        valued="uCP",
        long_flags=("--ignore-environment", "--null", "--debug"),
        long_valued=("--unset", "--chdir"),
    ),
    "sudo": Wrapper(
        flags="AbEHKklnPSVv",
        valued="CDghprRtTUu",
        long_flags=(
            "--askpass",
            "--background",
            "--preserve-env",
            "--set-home",
            "--non-interactive",
        ),
        long_valued=("--user", "--group", "--host", "--prompt", "--chdir", "--role", "--type"),
    ),
    "doas": Wrapper(flags="nL", valued="uC"),
    "ionice": Wrapper(
        flags="t",
        valued="cnpPu",
        long_flags=("--ignore",),
        long_valued=("--class", "--classdata", "--pid", "--pgid", "--uid"),
    ),
    "chroot": Wrapper(
        long_flags=("--skip-chdir",), long_valued=("--userspec", "--groups"), operand="/r"
    ),
    "flock": Wrapper(
        flags="sxunoFe",
        valued="wE",
        long_flags=(
            "--shared",
            "--exclusive",
            "--unlock",
            "--nonblock",
            "--nb",
            "--close",
            "--no-fork",
            "--verbose",
        ),
        long_valued=("--timeout", "--wait", "--conflict-exit-code"),
        operand="/tmp/lock",
    ),
    "script": Wrapper(
        flags="aefqh",
        valued="TIOBmEo",
        attached="t",
        long_flags=("--append", "--return", "--flush", "--force", "--quiet"),
        long_valued=(
            "--log-in",
            "--log-out",
            "--log-io",
            "--log-timing",
            "--logging-format",
            "--echo",
        ),
        files=True,
    ),
    "su": Wrapper(
        flags="lmpPf",
        valued="sgGw",
        long_flags=("--login", "--preserve-environment", "--pty"),
        long_valued=("--shell", "--group", "--supp-group", "--whitelist-environment"),
        files=True,
    ),
    "runuser": Wrapper(
        flags="lmpP",
        valued="sgGwu",
        long_flags=("--login", "--preserve-environment", "--pty"),
        long_valued=("--shell", "--group", "--supp-group", "--user"),
        files=True,
    ),
    "unbuffer": Wrapper(flags="p"),
    "taskset": Wrapper(flags="acp", long_flags=("--all-tasks", "--cpu-list"), operand="1"),
    "chrt": Wrapper(flags="abdefiormpRv", valued="TPD", operand="5"),
    "prlimit": Wrapper(valued="p", long_valued=("--pid",)),
    "fakeroot": Wrapper(flags="uhv", valued="lisb", long_valued=("--faked", "--lib")),
    "strace": Wrapper(),
    "ltrace": Wrapper(),
    "valgrind": Wrapper(),
    "unshare": Wrapper(),
    "nsenter": Wrapper(),
    "systemd-run": Wrapper(),
    "firejail": Wrapper(),
    "xvfb-run": Wrapper(),
    "catchsegv": Wrapper(),
    "xargs": Wrapper(
        flags="0rtpxo",
        valued="ILnPsdEa",
        attached="iel",
        long_flags=(
            "--null",
            "--no-run-if-empty",
            "--verbose",
            "--interactive",
            "--exit",
            "--open-tty",
        ),
        long_valued=("--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars"),
    ),
}
# The command that each wrapper runs a body of through a shell: by option, or always.
SHELL_OPTIONS = {
    "sudo": ["-s", "-i"],
    "doas": ["-s"],
    "env": ["-S", "--split-string"],
    "flock": ["-c", "--command"],
    "script": ["-c", "--command"],
    "su": ["-c", "-C", "--command", "--session-command"],
    "runuser": ["-c", "-C", "--command", "--session-command"],
}
SHELLS = ["bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "yash"]
FIND_ACTIONS = ["-exec", "-execdir", "-ok", "-okdir"]


def option_cases() -> list[tuple[str, str, str]]:
    """(wrapper, option words, what the wrapper runs) for every option of every wrapper."""
    cases: list[tuple[str, str, str]] = []
    for name, w in WRAPPERS.items():
        # A wrapper of files names its operand; one that has a valued option puts it after a
        # flag, so that an unknown flag shows as the value named as a command.
        tail = f"-{w.valued[0]} val u" if w.files else f"{w.operand} rm x".strip()
        runs = "u" if w.files else "rm x"
        cases.append((name, "", runs))
        cases += [(name, f"-{letter}", runs) for letter in w.flags + w.attached]
        cases += [(name, option, runs) for option in w.long_flags]
        for letter in w.valued:
            cases.append((name, f"-{letter} val", runs))
        for option in w.long_valued:
            cases += [(name, f"{option} val", runs), (name, f"{option}=val", runs)]
        cases = [(n, f"{o} {tail}".strip() if n == name else o, r) for n, o, r in cases]
    return cases


@pytest.mark.parametrize(("wrapper", "rest", "runs"), option_cases())
def test_every_option_of_every_wrapper_is_skipped_to_the_command_it_runs(
    wrapper: str, rest: str, runs: str
) -> None:
    line = f"{wrapper} {rest}"
    assert run(line) == Executed((line, runs), True)


def test_an_unknown_option_makes_every_later_word_a_possible_command() -> None:
    assert run("timeout -q 5 rm x").commands == ("timeout -q 5 rm x", "5 rm x", "rm x", "x")
    assert run("nice --bogus rm x").commands == ("nice --bogus rm x", "rm x", "x")


@pytest.mark.parametrize(
    ("wrapper", "option"), [(w, o) for w, options in SHELL_OPTIONS.items() for o in options]
)
def test_a_wrapper_option_that_takes_a_shell_line_has_the_line_read_as_commands(
    wrapper: str, option: str
) -> None:
    operand = WRAPPERS[wrapper].operand
    line = f"{wrapper} {operand} {option} 'rm x; id'".replace("  ", " ")
    shown = line.replace("'", "")
    assert run(line) == Executed((shown, "rm x", "rm x", "id", "id"), True)


def test_watch_runs_its_words_through_a_shell() -> None:
    assert run("watch -n 1 'rm x; id'") == Executed(
        ("watch -n 1 rm x; id", "rm x", "rm x", "id", "id"), True
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_every_shell_has_its_command_string_read_as_commands(shell: str) -> None:
    assert run(f"/bin/{shell} -c 'rm x; id'") == Executed(
        (f"{shell} -c rm x; id", "rm x", "rm x", "id", "id"), True
    )


@pytest.mark.parametrize("action", FIND_ACTIONS)
def test_every_find_action_that_runs_a_command_names_it(action: str) -> None:
    assert run(f"find . -name '*.py' {action} rm -f {{}} \\;") == Executed(
        (f"find . -name *.py {action} rm -f {{}} ;", "rm -f {}"), True
    )


def test_a_find_without_an_action_runs_nothing_else() -> None:
    assert run("find . -name rm -print") == Executed(("find . -name rm -print",), True)


@pytest.mark.parametrize(
    "setting",
    [
        "core.quotepath=off",
        "core.autocrlf=input",
        "init.defaultBranch=main",
        "safe.directory=/repo",
        "pull.rebase=true",
        "user.name=x",
        "color.ui=never",
        "advice.detachedHead=false",
        "column.ui=never",
        "i18n.logOutputEncoding=utf-8",
    ],
)
def test_every_harmless_git_setting_keeps_the_verdict_certain(setting: str) -> None:
    assert run(f"git -c {setting} status") == Executed(
        (f"git -c {setting} status", "git status"), True
    )


@pytest.mark.parametrize(
    "setting", ["core.pager=less", "core.sshCommand=x", "diff.external=x", "credential.helper=x"]
)
def test_a_git_setting_that_names_a_program_makes_the_verdict_uncertain(setting: str) -> None:
    assert run(f"git -c {setting} status") == Executed(
        (f"git -c {setting} status", "git status"), False
    )


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("bash --rcfile rc -c 'rm x'", "bash --rcfile rc -c rm x"),
        ("bash --init-file rc -c 'rm x'", "bash --init-file rc -c rm x"),
        ("bash --norc -c 'rm x'", "bash --norc -c rm x"),
        ("bash -o posix -c 'rm x'", "bash -o posix -c rm x"),
        ("bash +O extglob -xc 'rm x'", "bash +O extglob -xc rm x"),
        ("bash -- -c 'rm x'", None),
        ("sh - -c 'rm x'", None),
    ],
)
def test_a_shells_options_are_read_up_to_its_command_string(line: str, shown: str | None) -> None:
    found = run(line)
    if shown is None:  # after "--" or "-", "-c" is a script's name, not an option
        assert found.commands == (line.replace("'", ""),)
    else:
        assert found == Executed((shown, "rm x", "rm x"), True)


def test_a_shell_without_a_command_string_runs_a_script_not_this_line() -> None:
    assert run("bash -x script.sh") == Executed(("bash -x script.sh",), True)
    assert run("bash -c") == Executed(("bash -c",), True)


def test_wrappers_nested_deeper_than_eight_make_the_verdict_uncertain() -> None:
    assert run(" ".join(["nohup"] * 8) + " rm x").certain
    deep = run(" ".join(["nohup"] * 9) + " rm x")
    assert not deep.certain
    assert "rm x" not in deep.commands


def test_a_line_that_exhausts_the_walk_budget_is_uncertain() -> None:
    assert run("nice --bogus " + " ".join(["a"] * 198)).certain
    assert not run("nice --bogus " + " ".join(["a"] * 199)).certain


def test_a_command_name_that_is_not_literal_is_uncertain_and_names_nothing() -> None:
    assert run("$X rm") == Executed((), False)
    assert run("x=1") == Executed((), True)
    assert run("sudo $X rm") == Executed(("sudo $X rm", "rm"), False)


def test_eval_and_definitions_have_their_bodies_read() -> None:
    assert run("eval 'rm x'") == Executed(("eval rm x", "rm x", "rm x"), True)
    for line in ("function f { rm x; }", "coproc c { rm x; }"):
        first = executed(parse_command_line(line).commands[0])
        assert first == Executed((line.partition(";")[0], "rm x"), False)


@pytest.mark.parametrize("line", ["git -c", "git -C", "git --git-dir", "git -C . -c"])
def test_a_git_option_missing_its_value_runs_nothing_and_does_not_crash(line: str) -> None:
    # It raised IndexError, which ended a whole hexclaw -p run as an internal error.
    assert run(line) == Executed((line,), True)
