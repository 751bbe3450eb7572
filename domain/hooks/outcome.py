"""A finished hook run, read as Claude Code reads it: the exit code, then JSON on stdout.

- exit 0: stdout is shown in verbose mode; for UserPromptSubmit and SessionStart plain stdout
  is context for the model; a JSON object on stdout is read for its fields;
- exit 2: a block; stderr is the reason (to the model or the user, depending on the event);
- any other exit (or a timeout, or a command that could not start): a non-blocking error line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from domain.hooks.config import HookCommand
from domain.hooks.events import HookEvent
from domain.repr_base import Record

PermissionVerdict = Literal["allow", "deny", "ask"]
BLOCK_EXIT = 2
_CONTEXT_FROM_STDOUT: frozenset[HookEvent] = frozenset({"UserPromptSubmit", "SessionStart"})


@attrs.frozen(repr=False)
class HookRun(Record):
    command: HookCommand
    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    duration_ms: int = 0
    timed_out: bool = False
    failed_to_start: str = ""


@attrs.frozen(repr=False)
class HookEffect(Record):
    """What the runs of one firing ask for, all of them together."""

    blocked: bool = False
    reasons: tuple[str, ...] = ()
    """Why it blocks: for the model (PreToolUse, PostToolUse, Stop) or the user (prompts)."""
    permission: PermissionVerdict | None = None
    permission_reason: str = ""
    updated_input: dict[str, Any] | None = None
    context: tuple[str, ...] = ()
    stop: bool = False
    stop_reason: str = ""
    messages: tuple[str, ...] = ()
    """``systemMessage`` lines and non-blocking errors, for the user."""
    shown: tuple[str, ...] = ()
    """stdout of successful runs, for verbose mode."""

    @property
    def reason(self) -> str:
        return "\n".join(r for r in self.reasons if r)


def read_run(event: HookEvent, run: HookRun) -> HookEffect:
    label = f"{event} hook [{run.command.command}]"
    if run.failed_to_start:
        return HookEffect(messages=(f"{label} could not start: {run.failed_to_start}",))
    if run.timed_out:
        return HookEffect(
            messages=(f"{label} timed out after {run.command.timeout:g} s and was stopped",)
        )
    if run.exit_code == BLOCK_EXIT:
        return HookEffect(blocked=True, reasons=(_block_text(event, run),))
    if run.exit_code != 0:
        detail = run.stderr.strip() or f"exit code {run.exit_code}"
        return HookEffect(messages=(f"{label} failed: {detail}",))
    document = _json_object(run.stdout)
    if document is None:
        text = run.stdout.strip()
        if event in _CONTEXT_FROM_STDOUT and text:
            return HookEffect(context=(text,), shown=(text,))
        return HookEffect(shown=(text,) if text else ())
    return _read_json(event, run, document)


def _block_text(event: HookEvent, run: HookRun) -> str:
    stderr = run.stderr.rstrip("\n")
    if event in ("PreToolUse", "PostToolUse"):
        return f"[{run.command.command}]: {stderr}" if stderr else f"[{run.command.command}]"
    return stderr or f"blocked by the hook {run.command.command!r}"


def _json_object(text: str) -> dict[str, Any] | None:
    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _read_json(event: HookEvent, run: HookRun, doc: dict[str, Any]) -> HookEffect:
    specific = doc.get("hookSpecificOutput")
    specific = specific if isinstance(specific, dict) else {}
    messages = (doc["systemMessage"],) if isinstance(doc.get("systemMessage"), str) else ()
    shown = () if doc.get("suppressOutput") is True else (run.stdout.strip(),)
    stop = doc.get("continue") is False
    stop_reason = str(doc.get("stopReason") or "") if stop else ""
    decision = doc.get("decision")
    reason = str(doc.get("reason") or "")
    context = tuple(
        str(specific["additionalContext"])
        for _ in (0,)
        if isinstance(specific.get("additionalContext"), str) and specific["additionalContext"]
    )
    permission: PermissionVerdict | None = None
    permission_reason = ""
    updated: dict[str, Any] | None = None
    blocked = False
    reasons: tuple[str, ...] = ()
    if event == "PreToolUse":
        verdict = specific.get("permissionDecision")
        # The older top-level decision: "approve" / "block".
        if verdict is None and decision in ("approve", "block"):
            verdict = "allow" if decision == "approve" else "deny"
            permission_reason = reason
        if verdict in ("allow", "deny", "ask"):
            permission = verdict
            permission_reason = str(specific.get("permissionDecisionReason") or permission_reason)
        if isinstance(specific.get("updatedInput"), dict):
            updated = specific["updatedInput"]
    elif event == "PermissionRequest":
        behavior = specific.get("decision")
        if isinstance(behavior, dict) and behavior.get("behavior") in ("allow", "deny"):
            permission = behavior["behavior"]
            permission_reason = str(behavior.get("message") or "")
            if isinstance(behavior.get("updatedInput"), dict):
                updated = behavior["updatedInput"]
    elif decision == "block":
        blocked = True
        reasons = (reason or f"blocked by the hook {run.command.command!r}",)
    return HookEffect(
        blocked=blocked,
        reasons=reasons,
        permission=permission,
        permission_reason=permission_reason,
        updated_input=updated,
        context=context,
        stop=stop,
        stop_reason=stop_reason,
        messages=messages,
        shown=shown,
    )


_STRENGTH: dict[PermissionVerdict | None, int] = {None: 0, "allow": 1, "ask": 2, "deny": 3}


def combine(effects: Sequence[HookEffect]) -> HookEffect:
    """Parallel hooks together: any block blocks, the strictest permission wins (deny over ask
    over allow), any ``continue: false`` stops; texts are kept in the hooks' order."""
    strictest: HookEffect | None = None
    for effect in effects:
        if effect.permission is not None and (
            strictest is None or _STRENGTH[effect.permission] > _STRENGTH[strictest.permission]
        ):
            strictest = effect
    updated = next((e.updated_input for e in effects if e.updated_input is not None), None)
    stops = [e for e in effects if e.stop]
    return HookEffect(
        blocked=any(e.blocked for e in effects),
        reasons=tuple(r for e in effects for r in e.reasons),
        permission=strictest.permission if strictest else None,
        permission_reason=strictest.permission_reason if strictest else "",
        # A denied call runs nothing, so a rewrite of its input does not count.
        updated_input=updated if strictest is None or strictest.permission != "deny" else None,
        context=tuple(c for e in effects for c in e.context),
        stop=bool(stops),
        stop_reason=next((e.stop_reason for e in stops if e.stop_reason), ""),
        messages=tuple(m for e in effects for m in e.messages),
        shown=tuple(s for e in effects for s in e.shown if s),
    )
