"""Errors about saved sessions: finding, reading and resuming them."""

from __future__ import annotations

from domain.errors import HexclawError


class SessionError(HexclawError):
    """A saved session cannot be used."""


class NotASessionLog(SessionError):
    """The file is not a hexclaw session log (or its first line never got written)."""


class SessionFormatTooNew(SessionError):
    """The log was written by a newer hexclaw; reading it could lose what it holds."""

    def __init__(self, source: str, found: int, supported: int) -> None:
        super().__init__(
            f"{source} was written by a newer hexclaw (session format {found}; this one reads "
            f"up to {supported}); upgrade hexclaw to resume it. The file was left unchanged."
        )
        self.found = found
        self.supported = supported


class InvalidSessionId(SessionError):
    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"{session_id!r} is not a session id (`hexclaw sessions` lists this folder's ids)"
        )


class SessionNotFound(SessionError):
    def __init__(self, session_id: str, folder: str) -> None:
        super().__init__(
            f"no session {session_id} for {folder} (see `hexclaw sessions` for the ids)"
        )
        self.session_id = session_id


class AmbiguousSessionId(SessionError):
    def __init__(self, prefix: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:3]) + (", ..." if len(matches) > 3 else "")
        super().__init__(f"{prefix!r} matches {len(matches)} sessions ({shown}); give more of it")


class NoSessionToContinue(SessionError):
    def __init__(self, folder: str) -> None:
        super().__init__(f"no saved session to continue for {folder}; start one without -c")


class SessionIdInUse(SessionError):
    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"--session-id {session_id} is already a saved session of this folder; "
            "use --resume to continue it, or choose another id"
        )
