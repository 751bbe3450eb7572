"""How a turn moves: the agent loop's scenarios walked through ``next_state``, the moves it
must never make, and the shape of the whole machine (everything reachable, no dead end,
a finished turn left only by new input). Only ``next_state`` is consulted, never the table."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from domain.errors import HexclawError
from domain.loop.turn_state import IllegalTransition, TurnEvent, TurnState, next_state

S, E = TurnState, TurnEvent


def walk(events: Sequence[TurnEvent], start: TurnState = S.AWAITING_INPUT) -> list[TurnState]:
    """Every state the turn passes through, the start included."""
    states = [start]
    for event in events:
        states.append(next_state(states[-1], event))
    return states


def moves_from(state: TurnState) -> dict[TurnEvent, TurnState]:
    """What each event does in ``state``, by asking ``next_state`` about every event."""
    found = {}
    for event in TurnEvent:
        try:
            found[event] = next_state(state, event)
        except IllegalTransition:
            continue
    return found


def reachable_from(start: TurnState) -> set[TurnState]:
    seen, frontier = {start}, [start]
    while frontier:
        for after in moves_from(frontier.pop()).values():
            if after not in seen:
                seen.add(after)
                frontier.append(after)
    return seen


SCENARIOS = {
    "a plain answer": (
        [E.SEND, E.MESSAGE_DONE],
        [S.AWAITING_INPUT, S.STREAMING, S.FINISHED],
    ),
    "a paused server-side turn resumes into the same stream": (
        [E.SEND, E.PAUSED, E.PAUSED, E.MESSAGE_DONE],
        [S.AWAITING_INPUT, S.STREAMING, S.STREAMING, S.STREAMING, S.FINISHED],
    ),
    "two rounds of tools, then the answer": (
        [
            E.SEND,
            E.MESSAGE_WITH_TOOLS,
            E.TOOLS_DONE,
            E.MESSAGE_WITH_TOOLS,
            E.TOOLS_DONE,
            E.MESSAGE_DONE,
        ],
        [
            S.AWAITING_INPUT,
            S.STREAMING,
            S.RUNNING_TOOLS,
            S.STREAMING,
            S.RUNNING_TOOLS,
            S.STREAMING,
            S.FINISHED,
        ],
    ),
    "two questions in one round of tools": (
        [
            E.SEND,
            E.MESSAGE_WITH_TOOLS,
            E.NEEDS_PERMISSION,
            E.ANSWERED,
            E.NEEDS_PERMISSION,
            E.ANSWERED,
            E.TOOLS_DONE,
            E.MESSAGE_DONE,
        ],
        [
            S.AWAITING_INPUT,
            S.STREAMING,
            S.RUNNING_TOOLS,
            S.AWAITING_PERMISSION,
            S.RUNNING_TOOLS,
            S.AWAITING_PERMISSION,
            S.RUNNING_TOOLS,
            S.STREAMING,
            S.FINISHED,
        ],
    ),
    "a message cut off with tool calls ends the turn without running them": (
        [E.SEND, E.MESSAGE_WITH_TOOLS, E.TOOLS_NOT_RUN],
        [S.AWAITING_INPUT, S.STREAMING, S.RUNNING_TOOLS, S.FINISHED],
    ),
    "the call limit is reached after a round of tools": (
        [E.SEND, E.MESSAGE_WITH_TOOLS, E.TOOLS_DONE, E.MAX_TURNS],
        [S.AWAITING_INPUT, S.STREAMING, S.RUNNING_TOOLS, S.STREAMING, S.FINISHED],
    ),
    "the API fails mid-stream": (
        [E.SEND, E.ERROR],
        [S.AWAITING_INPUT, S.STREAMING, S.FAILED],
    ),
    "the turn fails before anything is sent": (
        [E.ERROR],
        [S.AWAITING_INPUT, S.FAILED],
    ),
    "Ctrl-C while a permission question is open": (
        [E.SEND, E.MESSAGE_WITH_TOOLS, E.NEEDS_PERMISSION, E.INTERRUPT],
        [S.AWAITING_INPUT, S.STREAMING, S.RUNNING_TOOLS, S.AWAITING_PERMISSION, S.INTERRUPTED],
    ),
    "a tool fails with a bug while running": (
        [E.SEND, E.MESSAGE_WITH_TOOLS, E.ERROR],
        [S.AWAITING_INPUT, S.STREAMING, S.RUNNING_TOOLS, S.FAILED],
    ),
    "three turns in a row, whatever ended the previous one": (
        [E.SEND, E.INTERRUPT, E.NEXT_INPUT, E.SEND, E.ERROR, E.NEXT_INPUT, E.SEND, E.MESSAGE_DONE],
        [
            S.AWAITING_INPUT,
            S.STREAMING,
            S.INTERRUPTED,
            S.AWAITING_INPUT,
            S.STREAMING,
            S.FAILED,
            S.AWAITING_INPUT,
            S.STREAMING,
            S.FINISHED,
        ],
    ),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_scenario_of_the_loop_passes_through_the_expected_states(name: str) -> None:
    events, expected = SCENARIOS[name]
    assert walk(events) == expected


ILLEGAL = {
    "an answer arrives before anything was sent": (S.AWAITING_INPUT, E.MESSAGE_DONE),
    "new input while the turn is still waiting for input": (S.AWAITING_INPUT, E.NEXT_INPUT),
    "tools finish before the model asked for any": (S.STREAMING, E.TOOLS_DONE),
    "a permission question outside a round of tools": (S.STREAMING, E.NEEDS_PERMISSION),
    "a second send while streaming": (S.STREAMING, E.SEND),
    "an answer to a question nobody asked": (S.RUNNING_TOOLS, E.ANSWERED),
    "the model answers while tools still run": (S.RUNNING_TOOLS, E.MESSAGE_DONE),
    "tools finish while a question is still open": (S.AWAITING_PERMISSION, E.TOOLS_DONE),
    "the model streams while a question is open": (S.AWAITING_PERMISSION, E.PAUSED),
    "a finished turn is sent again without new input": (S.FINISHED, E.SEND),
    "a failed turn fails again": (S.FAILED, E.ERROR),
    "an interrupted turn is interrupted again": (S.INTERRUPTED, E.INTERRUPT),
}


@pytest.mark.parametrize("name", ILLEGAL)
def test_a_move_the_loop_must_never_make_raises_illegal_transition(name: str) -> None:
    state, event = ILLEGAL[name]
    with pytest.raises(
        IllegalTransition, match=f"^no transition from {state.value} on {event.value}$"
    ):
        next_state(state, event)


def test_an_illegal_transition_is_a_hexclaw_error_and_leaves_nothing_half_done() -> None:
    with pytest.raises(HexclawError):
        walk([E.SEND, E.MESSAGE_WITH_TOOLS, E.MESSAGE_DONE])
    # The function is pure: the same legal walk still works after the failure.
    assert walk([E.SEND, E.MESSAGE_DONE])[-1] is S.FINISHED


def test_every_state_is_reachable_from_awaiting_input() -> None:
    assert reachable_from(S.AWAITING_INPUT) == set(TurnState)


@pytest.mark.parametrize("state", [s for s in TurnState if not s.terminal], ids=lambda s: s.value)
def test_a_turn_still_going_can_always_be_interrupted_failed_or_brought_to_an_end(
    state: TurnState,
) -> None:
    assert next_state(state, E.INTERRUPT) is S.INTERRUPTED
    assert next_state(state, E.ERROR) is S.FAILED
    # No dead end: the turn can also end normally from wherever it is.
    assert S.FINISHED in reachable_from(state)


@pytest.mark.parametrize("state", [s for s in TurnState if s.terminal], ids=lambda s: s.value)
def test_a_terminal_state_is_left_only_by_new_input(state: TurnState) -> None:
    assert moves_from(state) == {E.NEXT_INPUT: S.AWAITING_INPUT}


def test_exactly_the_ends_of_a_turn_are_terminal() -> None:
    ends = {walk(events)[-1] for events, _ in SCENARIOS.values()}
    assert ends == {S.FINISHED, S.FAILED, S.INTERRUPTED}
    assert {s for s in TurnState if s.terminal} == ends
    # A state the loop can leave without new input is not an end.
    for state in TurnState:
        assert state.terminal == (set(moves_from(state)) == {E.NEXT_INPUT})
