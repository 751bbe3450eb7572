"""A sandbox plan as a Seatbelt profile (SBPL) for macOS's ``sandbox-exec -p PROFILE``.

Seatbelt has no mounts, so the plan's layers become rules, and the last matching rule wins:
reads are allowed, then hidden paths denied (``allowRead`` re-allowed after them); writes are
denied except in the writable roots, then denied again in the read-only carve-outs and the
hidden paths. Network is denied except, when a proxy runs, the loopback port it listens on.
Paths are quoted as SBPL strings, so a quote or backslash in a path cannot end the string.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.sandbox.plan import SANDBOX_TMP, SandboxPlan

_BASE = """(version 1)
(deny default)
(allow process-exec)
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
(allow sysctl-read)
(allow mach-lookup)
(allow ipc-posix-shm)
(allow file-ioctl)
(allow pseudo-tty)
(allow file-read*)
(allow file-write-data (literal "/dev/null") (literal "/dev/tty") (literal "/dev/zero"))"""


def sbpl_string(path: str) -> str:
    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def seatbelt_profile(
    plan: SandboxPlan,
    session_tmp: str,
    allow_read: Iterable[str] = (),
    proxy_port: int | None = None,
) -> str:
    """The profile; ``session_tmp`` stands in for ``/tmp`` (Seatbelt cannot move a folder)."""
    writable = [session_tmp, *(p for p in plan.writable if p != SANDBOX_TMP)]
    lines = [_BASE]
    allow_read = list(allow_read)
    lines += _rule("deny file-read*", plan.hidden)
    lines += _rule("allow file-read*", allow_read)
    # A hidden path inside an allowed one (the config home) is denied again after it.
    lines += _rule("deny file-read*", [p for p in plan.hidden if _within_any(p, allow_read)])
    lines += _rule("allow file-write*", writable)
    lines += _rule("deny file-write*", [*plan.read_only, *plan.hidden])
    if proxy_port is not None:
        lines.append(f'(allow network-outbound (remote ip "localhost:{proxy_port}"))')
    return "\n".join(lines) + "\n"


def _rule(action: str, paths: Iterable[str]) -> list[str]:
    filters = " ".join(f"(subpath {sbpl_string(p)})" for p in paths)
    return [f"({action} {filters})"] if filters else []


def _within_any(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)
