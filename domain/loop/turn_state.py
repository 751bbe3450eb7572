"""The states of one user turn and the transitions between them, as an explicit table.

A transition that is not in the table is a bug in the loop and raises ``IllegalTransition``;
the table is the whole truth about which state may follow which.
"""

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

    @property
    def terminal(self) -> bool:
        """A turn in this state is over; only new input starts the next one."""
        return self in _TERMINAL


_TERMINAL = frozenset({TurnState.FINISHED, TurnState.FAILED, TurnState.INTERRUPTED})


class TurnEvent(enum.Enum):
    SEND = "send"
    MESSAGE_DONE = "message_done"
    MESSAGE_WITH_TOOLS = "message_with_tools"
    PAUSED = "paused"
    # A Stop hook sent the model back to work instead of ending the turn.
    HOOK_CONTINUES = "hook_continues"
    # Background work (an Agent call run in the background) reported: the model hears of it.
    REPORTS_ARRIVED = "reports_arrived"
    NEEDS_PERMISSION = "needs_permission"
    ANSWERED = "answered"
    TOOLS_DONE = "tools_done"
    # The message was cut off or declined: its calls were answered "not run" and the turn ends.
    TOOLS_NOT_RUN = "tools_not_run"
    MAX_TURNS = "max_turns"
    ERROR = "error"
    INTERRUPT = "interrupt"
    NEXT_INPUT = "next_input"


S, E = TurnState, TurnEvent
TRANSITIONS: dict[tuple[TurnState, TurnEvent], TurnState] = {
    (S.AWAITING_INPUT, E.SEND): S.STREAMING,
    (S.AWAITING_INPUT, E.ERROR): S.FAILED,
    (S.AWAITING_INPUT, E.INTERRUPT): S.INTERRUPTED,
    (S.STREAMING, E.MESSAGE_DONE): S.FINISHED,
    (S.STREAMING, E.MESSAGE_WITH_TOOLS): S.RUNNING_TOOLS,
    (S.STREAMING, E.PAUSED): S.STREAMING,
    (S.STREAMING, E.HOOK_CONTINUES): S.STREAMING,
    (S.STREAMING, E.REPORTS_ARRIVED): S.STREAMING,
    (S.STREAMING, E.MAX_TURNS): S.FINISHED,
    (S.STREAMING, E.ERROR): S.FAILED,
    (S.STREAMING, E.INTERRUPT): S.INTERRUPTED,
    (S.RUNNING_TOOLS, E.NEEDS_PERMISSION): S.AWAITING_PERMISSION,
    (S.RUNNING_TOOLS, E.TOOLS_DONE): S.STREAMING,
    (S.RUNNING_TOOLS, E.TOOLS_NOT_RUN): S.FINISHED,
    (S.RUNNING_TOOLS, E.ERROR): S.FAILED,
    (S.RUNNING_TOOLS, E.INTERRUPT): S.INTERRUPTED,
    (S.AWAITING_PERMISSION, E.ANSWERED): S.RUNNING_TOOLS,
    (S.AWAITING_PERMISSION, E.ERROR): S.FAILED,
    (S.AWAITING_PERMISSION, E.INTERRUPT): S.INTERRUPTED,
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
