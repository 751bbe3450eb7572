"""The sandbox's mount plan and its bubblewrap and Seatbelt forms, from settings and rules."""

from __future__ import annotations

import pytest

from domain.permissions.rules import parse_rule
from domain.sandbox.bwrap_args import bwrap_argv
from domain.sandbox.config import FilesystemConfig
from domain.sandbox.plan import Mount, PlanInputs, SandboxPlan, build_plan
from domain.sandbox.seatbelt import sbpl_string, seatbelt_profile
from tests.fakes.fake_path_probe import MemoryProbe

TREE = MemoryProbe(
    [
        "/ws/src/a.py",
        "/ws/.env",
        "/ws/keys/id.pem",
        "/ws/deep/more/b.pem",
        "/ws/.git/hooks/",
        "/ws/.git/config",
        "/ws/.claude/settings.json",
        "/ws/.vscode/tasks.json",
        "/home/me/.ssh/id_ed25519",
        "/home/me/notes/",
        "/home/me/project-b/",
        "/cfg/credentials.json",
        "/extra/",
        "/tmp/hexclaw-sandbox-1/",
    ]
)


def inputs(**overrides: object) -> PlanInputs:
    values: dict[str, object] = {
        "workspace": "/ws",
        "home": "/home/me",
        "config_home": "/cfg",
        "session_tmp": "/tmp/hexclaw-sandbox-1",
    }
    values.update(overrides)
    return PlanInputs(**values)  # type: ignore[arg-type]


def index(plan: SandboxPlan, mount: Mount) -> int:
    return plan.mounts.index(mount)


def test_the_root_is_read_only_and_the_workspace_and_a_session_tmp_are_writable() -> None:
    plan = build_plan(inputs(), TREE)
    assert plan.mounts[:4] == (
        Mount("ro-bind", "/", "/"),
        Mount("dev", "/dev"),
        Mount("proc", "/proc"),
        Mount("bind", "/tmp", "/tmp/hexclaw-sandbox-1"),
    )
    assert Mount("bind", "/ws", "/ws") in plan.mounts
    assert plan.writable == ("/tmp", "/ws")


def test_what_runs_code_later_stays_read_only_inside_the_workspace() -> None:
    plan = build_plan(inputs(), TREE)
    workspace = index(plan, Mount("bind", "/ws", "/ws"))
    for path in ("/ws/.git/hooks", "/ws/.git/config", "/ws/.claude", "/ws/.vscode"):
        assert index(plan, Mount("ro-bind", path, path)) > workspace, path
    # .git itself is a mount point, so it cannot be renamed away from its carve-outs.
    git = index(plan, Mount("bind", "/ws/.git", "/ws/.git"))
    assert workspace < git < index(plan, Mount("ro-bind", "/ws/.git/hooks", "/ws/.git/hooks"))
    assert Mount("bind", "/ws/.claude", "/ws/.claude") not in plan.mounts
    # Missing ones cannot be covered by a mount: they are listed for the runner to check.
    assert "/ws/.husky" in plan.unprotected
    assert "/ws/.idea" in plan.unprotected
    assert "/ws/.git/hooks" not in plan.unprotected


def test_where_git_reads_a_repository_from_stays_read_only() -> None:
    tree = MemoryProbe(
        [
            "/ws/.git/config",
            "/ws/.git/commondir",
            "/ws/.git/modules/sub/config",
            "/ws/.git/worktrees/other/commondir",
            "/ws/.git/config.worktree",
            "/wt/.git",
            "/wt/src/a.py",
            "/home/me/.config/git/config",
        ]
    )
    plan = build_plan(inputs(additional_directories=("/wt", "/home/me")), tree)
    for path in (
        "/ws/.git/commondir",
        "/ws/.git/config.worktree",
        "/ws/.git/modules",
        "/ws/.git/worktrees",
        "/wt/.git",
        "/home/me/.config/git",
    ):
        assert Mount("ro-bind", path, path) in plan.mounts, path
    # A .git that is a folder stays writable (commits write objects and refs there).
    assert Mount("ro-bind", "/ws/.git", "/ws/.git") not in plan.mounts
    # Where missing, each is reported once a command creates it.
    bare = build_plan(inputs(), MemoryProbe(["/ws/.git/config"]))
    for path in ("/ws/.git/commondir", "/ws/.git/modules", "/ws/.git/worktrees"):
        assert path in bare.unprotected, path


def test_the_config_home_is_hidden_even_when_allow_read_names_it() -> None:
    fs = FilesystemConfig(allow_read=("/cfg",))
    plan = build_plan(inputs(filesystem=fs), TREE)
    assert plan.mounts[-1] == Mount("hide-dir", "/cfg")
    assert index(plan, Mount("ro-bind", "/cfg", "/cfg")) < len(plan.mounts) - 1
    assert "/cfg" in plan.hidden


def test_read_deny_rules_hide_literal_paths_and_expand_patterns_last() -> None:
    rules = (parse_rule("Read(./.env)"), parse_rule("Read(*.pem)"), parse_rule("Read(~/.ssh/**)"))
    plan = build_plan(inputs(read_deny=rules), TREE)
    workspace = index(plan, Mount("bind", "/ws", "/ws"))
    for path in ("/ws/.env", "/ws/keys/id.pem", "/ws/deep/more/b.pem"):
        assert index(plan, Mount("hide-file", path)) > workspace, path
    # Outside the writable roots a hide comes before them (nothing re-binds over it).
    assert index(plan, Mount("hide-dir", "/home/me/.ssh")) < workspace


def test_allow_read_wins_over_deny_read_and_re_opens_a_folder_inside_it() -> None:
    fs = FilesystemConfig(deny_read=("~",), allow_read=("~/notes",))
    plan = build_plan(inputs(filesystem=fs), TREE)
    hide = index(plan, Mount("hide-dir", "/home/me"))
    assert index(plan, Mount("ro-bind", "/home/me/notes", "/home/me/notes")) > hide


def test_allow_write_and_edit_allow_rules_add_writable_roots_with_their_own_carve_outs() -> None:
    fs = FilesystemConfig(allow_write=("~/project-b",))
    plan = build_plan(inputs(filesystem=fs, edit_allow=(parse_rule("Edit(//extra/**)"),)), TREE)
    assert plan.writable == ("/tmp", "/ws", "/home/me/project-b", "/extra")
    assert "/home/me/project-b/.git/hooks" in plan.unprotected


def test_deny_write_and_edit_deny_rules_are_read_only_after_the_writable_binds() -> None:
    fs = FilesystemConfig(deny_write=("./src",))
    plan = build_plan(inputs(filesystem=fs, edit_deny=(parse_rule("Edit(keys/**)"),)), TREE)
    workspace = index(plan, Mount("bind", "/ws", "/ws"))
    assert index(plan, Mount("ro-bind", "/ws/src", "/ws/src")) > workspace
    assert Mount("ro-bind", "/ws/keys", "/ws/keys") in plan.mounts


def test_a_symlinked_workspace_is_bound_at_its_real_path() -> None:
    probe = MemoryProbe(["/real/ws/a.py", "/cfg/"], links={"/ws": "/real/ws"})
    plan = build_plan(inputs(), probe)
    assert Mount("bind", "/real/ws", "/real/ws") in plan.mounts


def test_the_bwrap_command_line_drops_capabilities_and_unshares_every_namespace() -> None:
    plan = build_plan(inputs(read_deny=(parse_rule("Read(./.env)"),)), TREE)
    argv = bwrap_argv("/usr/bin/bwrap", plan, "/ws/src", ["bash", "-c", "ls"], {"TMPDIR": "/tmp"})
    text = " ".join(argv)
    for flag in ("--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-net"):
        assert flag in argv
    assert "--cap-drop ALL" in text
    assert "--ro-bind / /" in text
    assert "--ro-bind /dev/null /ws/.env" in text
    assert "--tmpfs /cfg --remount-ro /cfg" in text
    assert argv[-6:] == ["--chdir", "/ws/src", "--", "bash", "-c", "ls"]
    assert "--setenv TMPDIR /tmp" in text
    assert "--seccomp" not in argv
    filtered = bwrap_argv("/usr/bin/bwrap", plan, "/ws", ["ls"], seccomp_fd=7)
    assert filtered[filtered.index("--seccomp") + 1] == "7"
    assert filtered.index("--seccomp") < filtered.index("--")


def test_the_seccomp_program_refuses_unix_sockets_and_io_uring_on_known_machines() -> None:
    import struct

    from domain.sandbox.seccomp import (
        AF_UNIX,
        RET_ALLOW,
        RET_EPERM,
        UnsupportedArch,
        no_unix_sockets_program,
    )

    program = no_unix_sockets_program("x86_64")
    instructions = [struct.unpack("=HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    assert instructions[1][3] == 0xC000003E
    assert instructions[-2] == (0x06, 0, 0, RET_ALLOW)
    assert instructions[-1] == (0x06, 0, 0, RET_EPERM)
    assert (0x15, 1, 0, AF_UNIX) in instructions
    # Every jump lands inside the program.
    for index, (code, jt, jf, _) in enumerate(instructions):
        if code in (0x15, 0x35):
            assert index + 1 + max(jt, jf) < len(instructions)
    assert no_unix_sockets_program("aarch64") != program
    with pytest.raises(UnsupportedArch):
        no_unix_sockets_program("riscv64")


def test_the_seatbelt_profile_denies_by_default_and_layers_writes_and_hides() -> None:
    plan = build_plan(inputs(read_deny=(parse_rule("Read(./.env)"),)), TREE)
    profile = seatbelt_profile(plan, "/private/tmp/s1", proxy_port=3128)
    lines = profile.splitlines()
    assert lines[:2] == ["(version 1)", "(deny default)"]
    writes = next(i for i, line in enumerate(lines) if line.startswith("(allow file-write*"))
    denied = next(i for i, line in enumerate(lines) if line.startswith("(deny file-write*"))
    assert writes < denied
    assert '(subpath "/private/tmp/s1")' in lines[writes]
    assert '(subpath "/ws")' in lines[writes]
    assert '(subpath "/ws/.git/hooks")' in lines[denied]
    assert '(deny file-read* (subpath "/ws/.env") (subpath "/cfg"))' in lines
    assert '(allow network-outbound (remote ip "localhost:3128"))' in lines
    assert "network-outbound" not in seatbelt_profile(plan, "/private/tmp/s1")


@pytest.mark.parametrize(
    ("path", "quoted"),
    [("/a b", '"/a b"'), ('/x") (allow default', '"/x\\") (allow default"'), ("/a\\", '"/a\\\\"')],
)
def test_seatbelt_strings_cannot_be_closed_by_a_path(path: str, quoted: str) -> None:
    assert sbpl_string(path) == quoted


def test_the_seatbelt_profile_hides_the_config_home_after_an_allow_read_that_covers_it() -> None:
    plan = build_plan(inputs(filesystem=FilesystemConfig(allow_read=("/cfg",))), TREE)
    lines = seatbelt_profile(plan, "/private/tmp/s1", allow_read=["/cfg"]).splitlines()
    allowed = lines.index('(allow file-read* (subpath "/cfg"))')
    assert lines[allowed + 1] == '(deny file-read* (subpath "/cfg"))'
