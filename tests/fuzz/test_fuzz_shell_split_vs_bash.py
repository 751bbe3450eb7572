"""The splitter against real bash, on command lines generated from bash's grammar.

hypothesis builds lines out of expansions (every parameter operator, ``@`` transformations,
indirection, offsets, subscripts, ``$_``), arithmetic, substitutions, function and coproc
definitions, builtins that evaluate, assignments, redirections and control operators, with
``touch T`` hidden wherever bash might run it. Each line runs through the real Bash tool in an
empty folder; what bash left there is the truth:
- a line that made bash create any file is never allowed by a prefix rule (``Bash(echo:*)``,
  ``Bash(true:*)``, ``Bash(git diff:*)``): the splitter judged it dynamic, writing, or not
  covered;
- a line that made bash run ``touch`` is never allowed with ``Bash`` allowed and
  ``Bash(touch:*)`` denied: it is denied, or asked about as a line the rule cannot be checked
  against.
The example count is small and fixed (derandomized) in the normal suite, and large under
``make fuzz`` (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.tools.bash import BashLimits, BashTool
from adapters.tools.support.background_jobs import BackgroundJobs
from adapters.tools.support.workspace import Workspace
from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext, parse_rule
from domain.tools.calls import ToolAccess, Verdict
from tests.fuzz.limits import fuzz_settings

pytestmark = pytest.mark.fuzz

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
# A few hundred lines in the normal suite, the same ones every run; thousands in make fuzz.
EXAMPLES = settings(fuzz_settings, max_examples=3000 if FUZZING else 300, derandomize=not FUZZING)

TOUCH = "touch T"
PAYLOAD = st.sampled_from(
    [
        f"'$({TOUCH})'",
        f'"$({TOUCH})"',
        f"$({TOUCH})",
        f"`{TOUCH}`",
        f"'a[$({TOUCH})]'",
        f"a[\\$\\({TOUCH}\\)]",
        f"<({TOUCH})",
        f"$'\\x24({TOUCH})'",
    ]
)
NAMES = st.sampled_from(["x", "_", "HOME", "a", "BASH_COMMAND", "__hexclaw_command", "1", "@"])
PLAIN = st.sampled_from(["a", "b-c", "d.e", "", " ", "1"])


@st.composite
def parameter(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    form = draw(
        st.sampled_from(
            [
                "${N}",
                "$N",
                "${#N}",
                "${N:-W}",
                "${N-W}",
                "${N:=W}",
                "${N:+W}",
                "${N:?W}",
                "${N@P}",
                "${N@Q}",
                "${N@E}",
                "${N@A}",
                "${!N}",
                "${N:1}",
                "${N:_}",
                "${N: -1:1}",
                "${N[_]}",
                "${N[0]}",
                "${N[x]}",
                "${N/a/b}",
                "${N^^}",
                "${N,,}",
                "${N#a}",
                "${N%a}",
                "${N:-$(T)}",
                "${N:-'W'}",
                '"${N}"',
                "${N:-`T`}",
            ]
        )
    )
    word = draw(st.one_of(PLAIN, PAYLOAD))
    return (
        form.replace("N", name)
        .replace("W", word)
        .replace("(T)", f"({TOUCH})")
        .replace("`T`", f"`{TOUCH}`")
    )


ARITHMETIC = st.sampled_from(
    [
        "$((1+2))",
        "$((x))",
        "$((_))",
        "$((a[x]))",
        f"$((a[$({TOUCH})]))",
        "$[x]",
        "$((BASH_COMMAND))",
    ]
)
WORD = st.one_of(
    PLAIN,
    PAYLOAD,
    parameter(),
    ARITHMETIC,
    st.sampled_from(["'a['", "]", "'x'", "--quiet", "-v", "--output=R", "-O", "~", "*", "{a,b}"]),
)
HEAD = st.sampled_from(
    [
        "echo", "true", "git diff", "test -v", "printf -v", "declare -i y=", "let", "eval",
        "[[", "((", "set -x;", "export", "local", "read", ":", "f", "g", "alias", "command",
        "env", "x=", "a[x]=", "PS4=", "declare -n r=", "trap", "hash -p /usr/bin/touch",
        "command let", "builtin printf -v", "time -p let", "time [[", "! let",
    ]
)  # fmt: skip
DEFINITION = st.sampled_from(
    [
        f"f() {{ {TOUCH}; }}",
        f"function g {{ {TOUCH}; }}",
        f"coproc {{ {TOUCH}; }}",
        f"coproc C {{ {TOUCH}; }}",
        f"g () {{ {TOUCH}; }}",
        f"trap '{TOUCH}' EXIT",
        f"alias echo='{TOUCH}'",
        f"x='$({TOUCH})'",
        f"x='a[$({TOUCH})]'",
        f"PS4='$({TOUCH})'",
    ]
)
# Ways to hand touch to another program, each followed by " touch T" or given it as a body.
WRAPPED = st.sampled_from(
    [
        "command", "builtin", "exec", "nohup", "time -p", "nice -n 5", "timeout 5", "env -i A=1",
        "ionice -c 3", "flock .l", "setsid -w", "stdbuf -oL", "taskset 1", "chroot --skip-chdir /",
        "xargs -a /dev/null -r", "find . -maxdepth 0 -exec", "eval", "{fd}>/dev/null",
    ]
)  # fmt: skip
BODY_TAKING = st.sampled_from(
    [
        "bash -c", "sh -ec", "env -S", "flock .l -c", "script -qc", "su -c", "git -c alias.x=!",
    ]
)  # fmt: skip
REDIRECTION = st.sampled_from(
    ["", "", "", "> R", ">> R", "2> R", ">&2", "> /dev/null", "{fd}> R", "&> R", "< /dev/null"]
)
SEPARATOR = st.sampled_from(["; ", " && ", " || ", " | ", "\n", " & "])


@st.composite
def simple_command(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(DEFINITION)
    if kind == 1:
        wrapper = draw(WRAPPED)
        end = " \\;" if wrapper.endswith("-exec") else ""
        return f"{wrapper} {TOUCH}{end}"
    if kind == 2:
        runner = draw(BODY_TAKING)
        body = draw(st.sampled_from([TOUCH, f"true; {TOUCH}", f"echo $({TOUCH})"]))
        if runner.endswith("!"):
            return f"git -c alias.x='!{body}' x"
        suffix = " /dev/null" if runner.startswith("script") else ""
        return f"{runner} '{body}'{suffix}"
    head = draw(HEAD)
    words = draw(st.lists(WORD, max_size=3))
    glue = "" if head.endswith("=") else " "
    line = head + glue + " ".join(words)
    if head.endswith("[["):
        line += " -eq 0 ]]"
    elif head == "((":
        line += " ))"
    return f"{line} {draw(REDIRECTION)}".strip()


@st.composite
def command_line(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(simple_command(), min_size=1, max_size=4))
    line = pieces[0]
    for piece in pieces[1:]:
        line += draw(SEPARATOR) + piece
    return line


def decide(command: str, allow: list[str], deny: list[str]) -> Verdict:
    rules = PermissionRules(
        allow=[parse_rule(text) for text in allow], deny=[parse_rule(text) for text in deny]
    )
    policy = PermissionPolicy("default", rules, RuleContext(workspace="/ws", home="/home/me"))
    return policy.decide(ToolAccess(tool="Bash", kind="execute", command=command)).verdict


class FreshFolder:
    """The real Bash tool, in a new empty folder for each line: a job a line leaves running
    in the background must not be taken for what the next line did."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.jobs = BackgroundJobs(grace=0.5)
        self.count = 0

    def run(self, command: str) -> set[str]:
        self.count += 1
        folder = self.root / f"line{self.count}"
        folder.mkdir()
        tool = BashTool(Workspace(folder), self.jobs, BashLimits(5, kill_grace=0.5))
        # The trailing wait lets what the line started in the background finish here.
        tool.run({"command": command + "\nwait", "timeout": 5000})
        found = {entry.name for entry in folder.iterdir()}
        shutil.rmtree(folder, ignore_errors=True)
        return found


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshFolder]:
    fresh = FreshFolder(tmp_path_factory.mktemp("differential") / "run")
    yield fresh
    fresh.jobs.stop_all()


@EXAMPLES
@given(command_line())
def test_what_bash_runs_is_never_allowed_unseen(folder: FreshFolder, command: str) -> None:
    created = folder.run(command)
    if created:
        for prefix in ("Bash(echo:*)", "Bash(true:*)", "Bash(git diff:*)"):
            verdict = decide(command, [prefix], [])
            assert verdict != "allow", f"{prefix} allowed {command!r}, which created {created}"
    if "T" in created:
        verdict = decide(command, ["Bash"], ["Bash(touch:*)"])
        assert verdict != "allow", f"Bash(touch:*) did not stop {command!r}"


def test_the_generator_makes_lines_that_run_touch_and_lines_that_are_allowed(
    folder: FreshFolder,
) -> None:
    """The invariants mean something: the grammar does reach touch, and harmless lines pass."""
    ran = [
        f"echo ${{_@P}} '$({TOUCH})'; echo ${{_@P}}",
        f"f() {{ {TOUCH}; }}; f",
        f"x='a[$({TOUCH})]'; echo ${{HOME:x}}",
    ]
    for line in ran:
        assert "T" in folder.run(line), line
        assert decide(line, ["Bash"], ["Bash(touch:*)"]) != "allow"
    for line in ("echo ${x:-a} ${#HOME}", "echo a && true", "echo '$(touch T)' > /dev/null"):
        assert folder.run(line) == set()
        assert decide(line, ["Bash(echo:*)", "Bash(true:*)"], []) == "allow"
