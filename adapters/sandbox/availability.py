"""Whether bubblewrap can run here: on PATH, and able to create the namespaces it needs."""

from __future__ import annotations

import shutil
import subprocess
import sys

from domain.sandbox.errors import SandboxUnavailable

TRIAL = (
    "--die-with-parent",
    "--unshare-user",
    "--unshare-pid",
    "--unshare-net",
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/",
    "/",
    "--",
    "/bin/true",
)


def find_bwrap(path: str | None) -> str:
    """The bubblewrap executable, or ``SandboxUnavailable`` naming the cause and the fix."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(
            f"hexclaw runs the sandbox with bubblewrap on Linux only (this is {sys.platform})",
            fix="run hexclaw on Linux",
        )
    found = shutil.which("bwrap", path=path)
    if found is None:
        raise SandboxUnavailable("bwrap (bubblewrap) is not on PATH")
    try:
        trial = subprocess.run(
            [found, *TRIAL], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"{found} does not run ({exc})") from None
    if trial.returncode != 0:
        said = " ".join(trial.stderr.split())[:200] or f"exit {trial.returncode}"
        raise SandboxUnavailable(
            f"bwrap cannot create its namespaces here ({said})",
            fix="enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 "
            "or user.max_user_namespaces above 0)",
        )
    return found
