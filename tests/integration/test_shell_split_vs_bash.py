"""The command-line splitter against a real bash.

Each command line runs through the real Bash tool in a fresh directory, and the files it
leaves there show what bash really executed: ``touch PWNED`` leaves ``PWNED``, a redirection
leaves its file. The checks:
- a prefix rule (``Bash(echo:*)``, ``Bash(git diff:*)``) never allows a line that made bash
  do anything besides echo or git diff (neither creates a file);
- with ``Bash`` allowed and ``Bash(touch:*)`` denied, a line that made bash run touch is
  never allowed (it is denied, or asked about when the splitter cannot tell);
- the corpus means something: each adversarial line does run touch under bash, and each
  harmless look-alike is allowed by the prefix rule and runs nothing.
Then random lines built from quoting, comment and operator fragments go through the same
checks.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from adapters.tools.bash import BashLimits, BashTool
from adapters.tools.support.background_jobs import BackgroundJobs
from adapters.tools.support.workspace import Workspace
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext, parse_rule
from domain.tools.calls import ToolAccess, Verdict

MARKER = "PWNED"
TOUCH = shutil.which("touch") or "/usr/bin/touch"

# Lines that make bash run touch, hidden from a reader that does not follow bash closely.
RUNS_TOUCH = [
    # The reviewer's two, with the marker in the working directory.
    "git diff #'\ntouch PWNED\n#'",
    "git diff $'\\'' ; touch PWNED #'",
    # Comments: an unquoted "#" at the start of a word, wherever a word can start.
    "echo $'\\'' ; touch PWNED #'",
    "echo a;#b\ntouch PWNED",
    "echo a&#b\ntouch PWNED",
    "echo a # b \\\ntouch PWNED",
    "(( echo #)); touch PWNED",
    "echo ${x:-;#'x'} ; touch PWNED",
    # Line continuations.
    "echo \\\n;touch PWNED",
    "tou\\\nch PWNED",
    # Quotes bash reads differently inside ${…}.
    'echo "${x:-\'"\'}" ; touch PWNED ; echo "\'}"',
    'echo "${x:-"a;b"}" ; touch PWNED',
    "echo ${x:-{}} ; touch PWNED",
    # Quotes spanning lines.
    "echo 'a\n' ; touch PWNED",
    'echo "a\n" ; touch PWNED',
    # Substitutions, also inside double quotes and here-documents.
    'echo "$(touch PWNED)"',
    "echo `touch PWNED`",
    "echo $(touch PWNED)",
    "cat <(touch PWNED)",
    "echo $((0$(touch PWNED)))",
    "cat <<EOF\n$(touch PWNED)\nEOF",
    # Array subscripts evaluated by builtins, substitution included, even when quoted.
    "printf -v 'a[$(touch PWNED)]' x",
    "test -v 'a[$(touch PWNED)]'",
    "printf -v $'a[\\x24(touch PWNED)]' x",
    # The command name by another path, quoting or expansion.
    f"{TOUCH} PWNED",
    "'touch' PWNED",
    "t\\ouch PWNED",
    '"tou"ch PWNED',
    "$'\\x74ouch' PWNED",
    "T=touch; $T PWNED",
    "$(echo touch) PWNED",
    "{touch,PWNED}",
    f"{TOUCH[:-5]}t[o]uch PWNED",
    # Wrappers.
    "command touch PWNED",
    "env touch PWNED",
    "env -i A=1 touch PWNED",
    "env -S 'touch PWNED'",
    "exec touch PWNED",
    "nohup touch PWNED",
    "time touch PWNED",
    "time -p touch PWNED",
    "nice -n 5 touch PWNED",
    "timeout 5 touch PWNED",
    "echo PWNED | xargs touch",
    "echo PWNED | xargs -I{} touch {}",
    "bash -c 'touch PWNED'",
    "sh -ec 'cd . && touch PWNED'",
    'bash -c "$(echo touch) PWNED"',
    "eval 'touch PWNED'",
    "eval touch PWNED",
    "find . -maxdepth 0 -exec touch PWNED \\;",
    # Words before the command, and compound commands.
    "X=1 touch PWNED",
    "2>/dev/null touch PWNED",
    "{ touch PWNED; }",
    "if true; then touch PWNED; fi",
    "! touch PWNED",
    "f() { touch PWNED; }; f",
    "echo a |& touch PWNED",
    # Expansions that evaluate: a prompt expansion, arithmetic offsets and subscripts.
    "echo '$(touch PWNED)'; echo ${_@P}",
    "echo 'a['; echo ${_}'$(touch PWNED)]'; echo ${HOME:_}",
    "echo 'a['; echo ${_}'$(touch PWNED)]'; echo ${BASH_VERSINFO[_]}",
    "x='a[$(touch PWNED)]'; echo $((x))",
    "echo 'b[$(touch PWNED)]'; [[ $_ -eq 0 ]]",
    "PS4='$(touch PWNED)'; set -x; echo",
    # Definitions, a descriptor variable and git's aliases.
    "function f { touch PWNED; }; f",
    "coproc X { touch PWNED; }; wait",
    "{fd}>/dev/null touch PWNED",
    "git -c alias.x='!touch PWNED' x",
    # Wrappers (those installed here).
    *(
        line
        for line in (
            "ionice -c 3 touch PWNED",
            "flock .lock touch PWNED",
            "flock .lock -c 'true; touch PWNED'",
            "script -qc 'true; touch PWNED' /dev/null",
            "chroot --skip-chdir / touch PWNED",
            "setsid -w touch PWNED",
            "stdbuf -oL touch PWNED",
            "taskset 1 touch PWNED",
            "unbuffer touch PWNED",
        )
        if shutil.which(line.split(maxsplit=1)[0])
    ),
]

# Lines that look like they hide something but only echo: the prefix rule allows them.
HARMLESS = [
    "echo 'a; touch PWNED'",
    'echo "a && touch PWNED"',
    "echo a\\;touch PWNED",
    "echo a # ; touch PWNED",
    "echo a#b '#' ; echo '$(touch PWNED)'",
    "echo $'\\'' '; touch PWNED'",
    'echo $\'a\\tb\' "c\\"; touch PWNED"',
    "echo a 2>&1 >/dev/null",
    'echo $HOME ${HOME} "$HOME" ${#HOME}',
    "echo {a,b} '$(x)' '[x]'",
]

# Lines that write a file without running a second command.
WRITES = ["echo a >&2x", "echo a>out", "echo a >| out", "echo a &>> out", "echo a <> out"]


def run_in_fresh_dir(root: Path, command: str) -> set[str]:
    """Run ``command`` with the real Bash tool in a new directory; the files it left there."""
    root.mkdir()
    jobs = BackgroundJobs(grace=0.5)
    tool = BashTool(Workspace(root), jobs, BashLimits(default_timeout=10, kill_grace=0.5))
    try:
        tool.run({"command": command})
    finally:
        jobs.stop_all()
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def decide(command: str, allow: list[str], deny: list[str] | None = None) -> Verdict:
    rules = PermissionRules(
        allow=[parse_rule(text) for text in allow],
        deny=[parse_rule(text) for text in deny or []],
    )
    policy = PermissionPolicy("default", rules, RuleContext(workspace="/ws", home="/home/me"))
    return policy.decide(ToolAccess(tool="Bash", kind="execute", command=command)).verdict


def check(command: str, created: set[str]) -> None:
    """The invariants, for any line and what bash did with it."""
    for prefix in ("Bash(echo:*)", "Bash(git diff:*)"):
        if decide(command, [prefix]) == "allow":
            assert created == set(), f"{prefix} allowed {command!r}, which created {created}"
    if MARKER in created:
        verdict = decide(command, ["Bash"], ["Bash(touch:*)"])
        assert verdict != "allow", f"Bash(touch:*) did not stop {command!r}"


@pytest.mark.parametrize("command", RUNS_TOUCH)
def test_lines_that_run_touch_are_never_allowed_as_echo(tmp_path: Path, command: str) -> None:
    created = run_in_fresh_dir(tmp_path / "run", command)
    assert MARKER in created, f"the corpus line {command!r} did not run touch under bash"
    check(command, created)


@pytest.mark.parametrize("command", HARMLESS)
def test_harmless_look_alikes_are_allowed_and_run_nothing(tmp_path: Path, command: str) -> None:
    created = run_in_fresh_dir(tmp_path / "run", command)
    assert created == set()
    assert decide(command, ["Bash(echo:*)"]) == "allow"
    check(command, created)


@pytest.mark.parametrize("command", WRITES)
def test_lines_that_write_a_file_are_not_allowed_as_echo(tmp_path: Path, command: str) -> None:
    created = run_in_fresh_dir(tmp_path / "run", command)
    assert created, f"the corpus line {command!r} wrote nothing under bash"
    check(command, created)


FRAGMENTS = [
    " ", "a", "'", '"', "$'", "\\", "\\'", "\n", " #", ";", "&", "|", "$(", ")",
    "`", "${x:-", "}", " {", ",", ">&2", "[", "]", "$", "=",
    " touch PWNED", "\ntouch PWNED", "; touch PWNED", ";touch PWNED;", "&& touch PWNED ",
]  # fmt: skip


def test_random_lines_keep_the_invariants(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    ran_touch = allowed = 0
    for index in range(150):
        command = "echo " + "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(2, 7)))
        created = run_in_fresh_dir(tmp_path / f"run{index}", command)
        ran_touch += MARKER in created
        allowed += decide(command, ["Bash(echo:*)"]) == "allow"
        check(command, created)
    # The generator makes both kinds: lines that run touch, and lines the rule allows.
    assert ran_touch > 5
    assert allowed > 5
