"""The run's hooks: every settings layer's commands, a project file's only when approved."""

from __future__ import annotations

import os
from collections.abc import Sequence

import attrs

from adapters.files.trust_store import workspace_key
from domain.hooks.config import HookCommand, HookSet, describe_hooks, hooks_content, parse_hooks
from domain.repr_base import Record
from domain.settings.layer_trust import TRUSTED_SCOPES
from domain.settings.merge import HookLayer
from domain.trust.items import TrustItem
from domain.trust.ledger import TrustCheck, TrustLedger


@attrs.frozen(repr=False)
class PendingHooks(Record):
    """A project file's hooks that need the user's approval before they run."""

    check: TrustCheck
    commands: tuple[HookCommand, ...]


@attrs.frozen(repr=False)
class LoadedHooks(Record):
    hooks: HookSet
    pending: tuple[PendingHooks, ...] = ()
    warnings: tuple[str, ...] = ()

    def with_approved(self, approved: Sequence[PendingHooks]) -> LoadedHooks:
        commands = tuple(c for p in approved for c in p.commands)
        return attrs.evolve(
            self,
            hooks=attrs.evolve(self.hooks, commands=self.hooks.commands + commands),
            pending=tuple(p for p in self.pending if p not in approved),
        )


def load_hooks(layers: Sequence[HookLayer], workspace: str, ledger: TrustLedger) -> LoadedHooks:
    warnings: list[str] = []
    # A project may switch off its own hooks, never the user's.
    if any(layer.disable_all and layer.scope in TRUSTED_SCOPES for layer in layers):
        return LoadedHooks(HookSet(disabled=True))
    project_off = any(layer.disable_all for layer in layers)
    commands: list[HookCommand] = []
    pending: list[PendingHooks] = []
    for layer in layers:
        if layer.hooks is None:
            continue
        trusted = layer.scope in TRUSTED_SCOPES
        if not trusted and project_off:
            continue
        found = parse_hooks(layer.hooks, layer.source, warnings, project=not trusted)
        if trusted:
            commands.extend(found)
            continue
        if not found:
            continue
        item = hook_trust_item(layer, workspace, found)
        check = ledger.check(item)
        if check.verdict == "approved":
            commands.extend(found)
        else:
            pending.append(PendingHooks(check, tuple(found)))
    return LoadedHooks(HookSet(tuple(commands)), tuple(pending), tuple(warnings))


def hook_trust_item(layer: HookLayer, workspace: str, commands: Sequence[HookCommand]) -> TrustItem:
    root = workspace_key(workspace)
    real = workspace_key(layer.source)
    relative = os.path.relpath(real, root) if real.startswith(root + os.sep) else layer.source
    return TrustItem(
        "hook",
        root,
        relative,
        hooks_content(layer.hooks),
        summary=describe_hooks(commands),
    )
