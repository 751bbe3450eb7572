"""The sandbox's errors: the one the user sees when the sandbox cannot start is one line
naming the cause and the fix."""

from __future__ import annotations

from domain.errors import HexclawError

INSTALL_FIX = "install bubblewrap (apt-get install bubblewrap, or dnf install bubblewrap)"
OPT_OUT = 'or set "sandbox": {"failIfUnavailable": false} in your settings to run unsandboxed'


class SandboxError(HexclawError):
    """Anything about the sandbox the user is told in one line."""


class SandboxUnavailable(SandboxError):
    """The sandbox is on but cannot start here; ``cause`` says why, the message the fix."""

    def __init__(self, cause: str, fix: str = INSTALL_FIX) -> None:
        self.cause = cause
        self.fix = fix
        super().__init__(
            f"the sandbox is enabled but cannot start: {cause}; {fix}, {OPT_OUT}. "
            "Bash is refused until then"
        )
