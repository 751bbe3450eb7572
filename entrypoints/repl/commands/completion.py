"""What Tab completes after a command: the values of its argument kind."""

from __future__ import annotations

from collections.abc import Sequence

from domain.commands.parser import ArgumentKind
from domain.model_catalog import KNOWN_MODELS
from domain.permission_modes import PERMISSION_MODES
from entrypoints.repl.commands.sessions import session_ids
from entrypoints.repl.state import ReplState


def argument_values(state: ReplState, kind: ArgumentKind) -> Sequence[str]:
    """Computed when asked, so typing ``/model`` never lists the saved sessions."""
    if kind == "model":
        return list(dict.fromkeys([state.model, *KNOWN_MODELS]))
    if kind == "permission_mode":
        return PERMISSION_MODES
    if kind == "session_id":
        return session_ids(state)
    return ()
