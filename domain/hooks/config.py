"""A settings layer's ``hooks`` value, read into commands (Claude Code's schema)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from domain.hooks.events import MATCHED_FIELD, HookEvent, parse_event
from domain.hooks.matching import matcher_matches, matcher_problem
from domain.repr_base import Record

DEFAULT_TIMEOUT = 60.0


@attrs.frozen(repr=False)
class HookCommand(Record):
    event: HookEvent
    matcher: str
    command: str
    timeout: float
    source: str
    """The settings file (or ``--settings``) it came from, for ``/hooks`` and ``--verbose``."""
    project: bool = False
    """It came with the workspace (and needed the user's approval)."""


@attrs.frozen(repr=False)
class HookSet(Record):
    commands: tuple[HookCommand, ...] = ()
    disabled: bool = False

    def matching(self, event: HookEvent, value: str | None) -> list[HookCommand]:
        """The commands to run for one firing: matchers applied, identical commands once."""
        if self.disabled:
            return []
        chosen: dict[str, HookCommand] = {}
        for command in self.commands:
            if command.event != event or command.command in chosen:
                continue
            if event in MATCHED_FIELD and not matcher_matches(command.matcher, value or ""):
                continue
            chosen[command.command] = command
        return list(chosen.values())

    def has(self, event: HookEvent) -> bool:
        return not self.disabled and any(c.event == event for c in self.commands)


def parse_hooks(
    value: Any, source: str, warnings: list[str], project: bool = False
) -> list[HookCommand]:
    """The commands of one layer's ``hooks``; each problem is one warning and is skipped."""
    if not isinstance(value, dict):
        warnings.append(f"{source}: hooks must be an object of events (ignored)")
        return []
    commands: list[HookCommand] = []
    for name, groups in value.items():
        event = parse_event(str(name))
        if event is None:
            warnings.append(f"{source}: unknown hook event {name!r} (ignored)")
            continue
        if not isinstance(groups, list):
            warnings.append(f"{source}: hooks.{name} must be a list (ignored)")
            continue
        for group in groups:
            commands.extend(_group(event, group, source, warnings, project))
    return commands


def _group(
    event: HookEvent, group: Any, source: str, warnings: list[str], project: bool
) -> Iterable[HookCommand]:
    where = f"{source}: hooks.{event}"
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        warnings.append(f"{where}: each entry needs a list of 'hooks' (ignored)")
        return []
    matcher = group.get("matcher", "")
    if not isinstance(matcher, str):
        warnings.append(f"{where}: matcher must be a string (ignored)")
        return []
    problem = matcher_problem(matcher)
    if problem is not None:
        warnings.append(f"{where}: {problem} (ignored)")
        return []
    found: list[HookCommand] = []
    for hook in group["hooks"]:
        if not isinstance(hook, dict):
            warnings.append(f"{where}: a hook must be an object (ignored)")
            continue
        kind = hook.get("type", "command")
        if kind != "command":
            warnings.append(f"{where}: hook type {kind!r} is not supported; only 'command'")
            continue
        command = hook.get("command")
        if not isinstance(command, str) or not command.strip():
            warnings.append(f"{where}: a command hook needs a 'command' string (ignored)")
            continue
        timeout = hook.get("timeout", DEFAULT_TIMEOUT)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            warnings.append(
                f"{where}: timeout must be a positive number of seconds; got "
                f"{json.dumps(timeout)} (using {DEFAULT_TIMEOUT:g})"
            )
            timeout = DEFAULT_TIMEOUT
        found.append(HookCommand(event, matcher, command, float(timeout), source, project))
    return found


def hooks_content(value: Any) -> bytes:
    """The exact content an approval of a file's hooks pins: canonical JSON of ``hooks``, so
    other settings in the file may change without asking again, but any hook change asks."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")


def describe_hooks(commands: Sequence[HookCommand]) -> str:
    """What would run, one line per command, for the approval question and ``/hooks``."""
    lines = []
    for command in commands:
        matcher = f" [{command.matcher}]" if command.matcher not in ("", "*") else ""
        lines.append(f"  {command.event}{matcher}: {command.command}")
    return "\n".join(lines)
