"""Every wrapper in the table, and every way it hands over a command: a deny rule on ``rm``
sees the ``rm`` each example runs."""

from __future__ import annotations

import pytest

from domain.permissions.policy import PermissionPolicy, PermissionRules
from domain.permissions.rules import RuleContext, parse_rule
from domain.permissions.shell_split import parse_command_line
from domain.permissions.shell_wrappers import _WRAPPERS, executed
from domain.tools.calls import ToolAccess

# At least one line per wrapper, each running rm x.
EXAMPLES: dict[str, list[str]] = {
    "command": ["command -p rm x"],
    "builtin": ["builtin rm x"],
    "nohup": ["nohup rm x"],
    "coproc": ["coproc rm x", "coproc X { rm x; }"],
    "busybox": ["busybox rm x"],
    "exec": ["exec -a name rm x"],
    "setsid": ["setsid -w rm x", "setsid --fork rm x"],
    "time": ["time -p rm x"],
    "nice": ["nice -n 5 rm x", "nice -5 rm x"],
    "timeout": ["timeout -s KILL 5 rm x"],
    "stdbuf": ["stdbuf -oL rm x", "stdbuf -o L -e 0 rm x"],
    "env": ["env -i A=1 rm x", "env -S 'rm x'", "env --split-string='true; rm x'"],
    "sudo": ["sudo -u root rm x", "sudo -s 'rm x'"],
    "doas": ["doas -u root rm x"],
    "ionice": ["ionice -c 3 rm x", "ionice -c2 -n7 rm x", "ionice --class 3 rm x"],
    "chroot": ["chroot / rm x", "chroot --userspec=a:b / rm x"],
    "flock": [
        "flock /tmp/l rm x",
        "flock -n /tmp/l rm x",
        "flock /tmp/l -c 'true; rm x'",
        "flock -w 5 /tmp/l --command='true; rm x'",
    ],
    "script": [
        "script -q -c 'true; rm x' /dev/null",
        "script /dev/null -c 'true; rm x'",
        "script -qc'true; rm x' out",
        "script --command 'true; rm x'",
    ],
    "su": ["su -c 'true; rm x' root", "su root -c 'rm x'", "su - root --command='rm x'"],
    "runuser": ["runuser -u nobody rm x", "runuser -c 'true; rm x' nobody"],
    "unbuffer": ["unbuffer rm x", "unbuffer -p rm x"],
    "taskset": ["taskset 1 rm x", "taskset -c 0 rm x"],
    "chrt": ["chrt 0 rm x", "chrt -o 0 rm x"],
    "prlimit": ["prlimit --nofile=10 rm x", "prlimit rm x"],
    "fakeroot": ["fakeroot rm x", "fakeroot -- rm x"],
    "watch": ["watch 'true; rm x'", "watch -n 1 rm x"],
    "strace": ["strace -f -o log rm x"],
    "ltrace": ["ltrace -f rm x"],
    "valgrind": ["valgrind --tool=none rm x"],
    "unshare": ["unshare -r rm x"],
    "nsenter": ["nsenter -t 1 -m rm x"],
    "systemd-run": ["systemd-run --user rm x"],
    "firejail": ["firejail --noprofile rm x"],
    "xvfb-run": ["xvfb-run -a rm x"],
    "catchsegv": ["catchsegv rm x"],
    "xargs": ["echo x | xargs rm", "echo x | xargs -I{} rm {}"],
}
# Not wrappers in the table, but ways to run a command that deny rules must see too.
OTHER_WAYS = [
    "function f { rm x; }; f",
    "f() { rm x; }; f",
    "git -c alias.x='!rm x' x",
    "git -c alias.x='!true; rm x' x",
    "bash -c 'true; rm x'",
    "{fd}>/dev/null rm x",
]


def test_every_wrapper_in_the_table_has_examples() -> None:
    assert set(EXAMPLES) == set(_WRAPPERS)


def decide(command: str) -> str:
    rules = PermissionRules(allow=[parse_rule("Bash")], deny=[parse_rule("Bash(rm:*)")])
    policy = PermissionPolicy("default", rules, RuleContext(workspace="/ws", home="/home/me"))
    return policy.decide(ToolAccess(tool="Bash", kind="execute", command=command)).verdict


@pytest.mark.parametrize("command", [line for lines in EXAMPLES.values() for line in lines])
def test_a_deny_rule_sees_the_command_each_wrapper_runs(command: str) -> None:
    assert decide(command) == "deny"
    line = parse_command_line(command)
    seen = [c for piece in line.commands for c in executed(piece).commands]
    assert any(c.split()[:1] == ["rm"] for c in seen), seen


@pytest.mark.parametrize("command", OTHER_WAYS)
def test_a_deny_rule_sees_definitions_and_git_aliases(command: str) -> None:
    assert decide(command) == "deny"


@pytest.mark.parametrize(
    "command",
    [
        "git -c core.pager='rm x' log",  # a setting that runs a program hexclaw does not read
        "git --exec-path=/tmp/x status",
        "env PAGER='rm x' git log",
        "git grep -O'rm x' -e a",
    ],
)
def test_what_git_or_env_would_run_unseen_is_asked_about(command: str) -> None:
    assert decide(command) == "ask"


@pytest.mark.parametrize(
    "command",
    [
        "git -c user.name=a -c color.ui=never log",
        "script -q out.log",
        "flock /tmp/l true",
        "ls -la",
    ],
)
def test_harmless_uses_stay_allowed(command: str) -> None:
    assert decide(command) == "allow"


def test_git_global_options_do_not_hide_the_subcommand_from_a_deny_rule() -> None:
    rules = PermissionRules(allow=[parse_rule("Bash")], deny=[parse_rule("Bash(git push:*)")])
    policy = PermissionPolicy("default", rules, RuleContext(workspace="/ws", home="/home/me"))
    for command in ("git -C . push origin", "git --no-pager push", "git -c user.name=a push"):
        access = ToolAccess(tool="Bash", kind="execute", command=command)
        assert policy.decide(access).verdict == "deny", command
