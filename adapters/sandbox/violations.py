"""What in a sandboxed command's output means the sandbox refused something, so the model
is told plainly instead of retrying blindly."""

from __future__ import annotations

import re

_REFUSED = re.compile(
    r"read-only file system|operation not permitted|permission denied|resource busy|"
    r"network is unreachable|could not resolve host|temporary failure in name resolution",
    re.IGNORECASE,
)


def refusal_note(output: str, writable: list[str]) -> str | None:
    """A line for the model when the output shows a refusal the sandbox likely caused."""
    hits = [line.strip() for line in output.splitlines() if _REFUSED.search(line)]
    if not hits:
        return None
    shown = hits[0] if len(hits[0]) <= 200 else hits[0][:199] + "…"
    return (
        f"Sandbox: this command ran in hexclaw's OS sandbox and was refused something "
        f"({shown!r}). Only {', '.join(writable)} are writable (their .git/hooks, .git/config, "
        ".claude, .vscode, .idea and .husky stay read-only) and the network is closed unless "
        "sandbox.network.allowedDomains lets a domain through. Do not retry the same way: ask "
        "the user, or explain what needs access."
    )
