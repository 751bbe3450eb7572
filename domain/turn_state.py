"""The states of one user turn and the transitions between them, as an explicit table."""

from __future__ import annotations

import enum

from domain.errors import HexclawError


class TurnState(enum.Enum):
    AWAITING_INPUT = "awaiting_input"
    STREAMING = "streaming"
    AWAITING_PERMISSION = "awaiting_permission"
    RUNNING_TOOLS = "running_tools"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class TurnEvent(enum.Enum):
    SEND = "send"
    MESSAGE_WITH_TOOLS = "message_with_tools"
    MESSAGE_DONE = "message_done"
    PAUSED = "paused"
    NEEDS_PERMISSION = "needs_permission"
    ANSWERED = "answered"
    TOOLS_DONE = "tools_done"
    MAX_TURNS = "max_turns"
    ERROR = "error"
    INTERRUPT = "interrupt"
    NEXT_INPUT = "next_input"


S, E = TurnState, TurnEvent
TRANSITIONS: dict[tuple[TurnState, TurnEvent], TurnState] = {
    (S.AWAITING_INPUT, E.SEND): S.STREAMING,
    (S.STREAMING, E.MESSAGE_WITH_TOOLS): S.RUNNING_TOOLS,
    (S.STREAMING, E.MESSAGE_DONE): S.FINISHED,
    (S.STREAMING, E.PAUSED): S.STREAMING,
    (S.STREAMING, E.ERROR): S.FAILED,
    (S.STREAMING, E.INTERRUPT): S.INTERRUPTED,
    (S.RUNNING_TOOLS, E.NEEDS_PERMISSION): S.AWAITING_PERMISSION,
    (S.AWAITING_PERMISSION, E.ANSWERED): S.RUNNING_TOOLS,
    (S.AWAITING_PERMISSION, E.INTERRUPT): S.INTERRUPTED,
    (S.RUNNING_TOOLS, E.TOOLS_DONE): S.STREAMING,
    (S.RUNNING_TOOLS, E.MAX_TURNS): S.FINISHED,
    (S.RUNNING_TOOLS, E.INTERRUPT): S.INTERRUPTED,
    (S.RUNNING_TOOLS, E.ERROR): S.FAILED,
    (S.STREAMING, E.MAX_TURNS): S.FINISHED,
    (S.FINISHED, E.NEXT_INPUT): S.AWAITING_INPUT,
    (S.FAILED, E.NEXT_INPUT): S.AWAITING_INPUT,
    (S.INTERRUPTED, E.NEXT_INPUT): S.AWAITING_INPUT,
}
del S, E


class IllegalTransition(HexclawError):
    """A bug: the loop tried a transition the table does not allow."""


def next_state(state: TurnState, event: TurnEvent) -> TurnState:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"no transition from {state.value} on {event.value}") from None
