"""Errors of recording and replaying cassettes."""

from __future__ import annotations

from domain.errors import HexclawError
from domain.messages.api_errors import ApiError


class CassetteError(HexclawError):
    """Something went wrong with a cassette file."""


class CassetteUnreadable(CassetteError):
    """The cassette is missing, is not YAML, or is not a vcrpy cassette."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"cannot use the cassette {source}: {detail}")
        self.source = source
        self.detail = detail


class CassetteUnwritable(CassetteError):
    """The recording could not be saved."""

    def __init__(self, target: str, detail: str) -> None:
        super().__init__(f"cannot save the cassette {target}: {detail}")


class RecordReplayConflict(CassetteError):
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("--record and --replay cannot be used together")


class ReplayMismatch(ApiError, CassetteError):
    """This run sent a request the cassette does not hold at that position.

    It is an ``ApiError`` so the agent loop ends the turn as it would for a failed call,
    keeping the conversation valid.
    """

    def __init__(self, number: int, total: int, request_line: str, difference: str) -> None:
        super().__init__(
            f"replay stopped: request {number} of {total} in the cassette ({request_line}) "
            f"does not match: {difference}"
        )
        self.number = number
        self.total = total
        self.request_line = request_line
        self.difference = difference


class ReplayExhausted(ReplayMismatch):
    """This run sent more requests than the cassette holds."""

    def __init__(self, number: int, total: int, request_line: str) -> None:
        ApiError.__init__(
            self,
            f"replay stopped: request {number} ({request_line}) is not in the cassette, "
            f"which holds {total} request{'s' if total != 1 else ''}",
        )
        self.number = number
        self.total = total
        self.request_line = request_line
        self.difference = "not in the cassette"


class McpReplayMismatch(CassetteError):
    """A remote MCP server was sent a request the cassette holds no unplayed recording of."""

    def __init__(self, server: str, request_line: str) -> None:
        super().__init__(
            f"replay stopped: MCP server {server!r} was sent {request_line}, "
            "which is not in the cassette"
        )
        self.server = server
        self.request_line = request_line
