"""The turn's transition table, checked cell by cell: every pair not listed is illegal."""

from __future__ import annotations

import itertools

import pytest

from domain.turn_state import IllegalTransition, TurnEvent, TurnState, next_state

S, E = TurnState, TurnEvent

# Written out by hand from the loop's design, not copied from the module.
EXPECTED = {
    (S.AWAITING_INPUT, E.SEND): S.STREAMING,
    (S.AWAITING_INPUT, E.ERROR): S.FAILED,
    (S.AWAITING_INPUT, E.INTERRUPT): S.INTERRUPTED,
    (S.STREAMING, E.MESSAGE_DONE): S.FINISHED,
    (S.STREAMING, E.MESSAGE_WITH_TOOLS): S.RUNNING_TOOLS,
    (S.STREAMING, E.PAUSED): S.STREAMING,
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
ALL_PAIRS = list(itertools.product(TurnState, TurnEvent))


@pytest.mark.parametrize(("state", "event"), ALL_PAIRS, ids=lambda x: x.value)
def test_every_cell_of_the_table(state: TurnState, event: TurnEvent) -> None:
    if (state, event) in EXPECTED:
        assert next_state(state, event) is EXPECTED[(state, event)]
    else:
        with pytest.raises(IllegalTransition, match=f"from {state.value} on {event.value}"):
            next_state(state, event)


def test_an_interruption_is_possible_in_every_state_where_the_turn_is_still_going() -> None:
    for state in TurnState:
        if not state.terminal:
            assert next_state(state, E.INTERRUPT) is S.INTERRUPTED


def test_only_new_input_leaves_a_finished_turn() -> None:
    for state in (S.FINISHED, S.FAILED, S.INTERRUPTED):
        assert state.terminal
        legal = [e for e in TurnEvent if (state, e) in EXPECTED]
        assert legal == [E.NEXT_INPUT]


def test_every_state_is_reachable_from_awaiting_input() -> None:
    seen, frontier = {S.AWAITING_INPUT}, [S.AWAITING_INPUT]
    while frontier:
        state = frontier.pop()
        for event in TurnEvent:
            try:
                after = next_state(state, event)
            except IllegalTransition:
                continue
            if after not in seen:
                seen.add(after)
                frontier.append(after)
    assert seen == set(TurnState)
