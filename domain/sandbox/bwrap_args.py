"""A sandbox plan as a bubblewrap command line.

Rules a reader must not break:
- ``--unshare-user`` and ``--cap-drop ALL`` always: run as root, bubblewrap otherwise keeps
  every capability inside, and a command could remount ``/`` read-write;
- ``--unshare-pid`` and ``--die-with-parent``: when the command ends (or hexclaw does), every
  process it started ends with it, ``cmd &`` included;
- ``--unshare-net`` always: the only way out is the proxy, through the listening socket the
  bridge hands out; ``--unshare-ipc`` keeps the host's System V shared memory out of reach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.sandbox.plan import Mount, SandboxPlan

# Not UTS or cgroup namespaces: with every capability dropped the hostname cannot be changed
# and the read-only /sys keeps cgroups as they are, so each would only add to every call.
NAMESPACES = ("--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net")


def bwrap_argv(
    bwrap: str,
    plan: SandboxPlan,
    cwd: str,
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    seccomp_fd: int | None = None,
) -> list[str]:
    """``seccomp_fd``: an open descriptor bubblewrap reads the filter program from."""
    argv = [bwrap, "--die-with-parent", *NAMESPACES, "--cap-drop", "ALL"]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    for mount in plan.mounts:
        argv += mount_args(mount)
    for name, value in (env or {}).items():
        argv += ["--setenv", name, value]
    argv += ["--chdir", cwd, "--", *command]
    return argv


def mount_args(mount: Mount) -> list[str]:
    if mount.kind == "dev":
        return ["--dev", mount.dest]
    if mount.kind == "proc":
        return ["--proc", mount.dest]
    if mount.kind == "hide-dir":
        return ["--tmpfs", mount.dest, "--remount-ro", mount.dest]
    if mount.kind == "hide-file":
        return ["--ro-bind", "/dev/null", mount.dest]
    return [f"--{mount.kind}", mount.source, mount.dest]
