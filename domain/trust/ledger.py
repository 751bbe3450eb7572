"""The user's approvals and the verdict for one item."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from domain.repr_base import Record
from domain.trust.difference import content_difference
from domain.trust.errors import TrustFileError
from domain.trust.items import TRUST_KINDS, TrustItem, TrustKind

Verdict = Literal["approved", "unapproved", "changed"]
ApprovalKey = tuple[str, str, str]  # workspace, kind, item id


@attrs.frozen(repr=False)
class Approval(Record):
    workspace: str
    kind: TrustKind
    item_id: str
    digest: str
    content: str = attrs.field(repr=False)
    approved_at: str = ""
    # Keys a newer hexclaw wrote into this entry, written back unchanged.
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def key(self) -> ApprovalKey:
        return (self.workspace, self.kind, self.item_id)

    def to_entry(self) -> dict[str, Any]:
        entry = dict(self.extra)
        entry.update(
            workspace=self.workspace,
            kind=self.kind,
            item=self.item_id,
            digest=self.digest,
            content=self.content,
            approvedAt=self.approved_at,
        )
        return entry


_ENTRY_KEYS = ("workspace", "kind", "item", "digest", "content", "approvedAt")


def approval_from_entry(entry: object, source: str) -> Approval:
    if not isinstance(entry, dict):
        raise TrustFileError(f"{source}: an approval is not a JSON object")
    values = {key: entry.get(key, "") for key in _ENTRY_KEYS}
    for key, value in values.items():
        if not isinstance(value, str):
            raise TrustFileError(f"{source}: an approval's {key!r} is not a string")
    kind = values["kind"]
    if kind not in TRUST_KINDS:
        raise TrustFileError(f"{source}: unknown approval kind {kind!r}")
    if not values["workspace"] or not values["item"] or not values["digest"]:
        raise TrustFileError(f"{source}: an approval lacks its workspace, item or digest")
    return Approval(
        workspace=values["workspace"],
        kind=kind,
        item_id=values["item"],
        digest=values["digest"],
        content=values["content"],
        approved_at=values["approvedAt"],
        extra={key: value for key, value in entry.items() if key not in _ENTRY_KEYS},
    )


@attrs.frozen(repr=False)
class TrustCheck(Record):
    item: TrustItem
    verdict: Verdict
    previous: Approval | None = None

    @property
    def difference(self) -> str:
        """For ``changed``: the approved content against the current one."""
        if self.verdict != "changed" or self.previous is None:
            return ""
        return content_difference(self.previous.content, self.item.text, self.item.item_id)


@attrs.frozen(repr=False)
class TrustLedger(Record):
    approvals: tuple[Approval, ...] = ()

    def find(self, key: ApprovalKey) -> Approval | None:
        for approval in self.approvals:
            if approval.key == key:
                return approval
        return None

    def check(self, item: TrustItem) -> TrustCheck:
        previous = self.find((item.workspace, item.kind, item.item_id))
        if previous is None:
            return TrustCheck(item, "unapproved")
        if previous.digest == item.digest:
            return TrustCheck(item, "approved", previous)
        return TrustCheck(item, "changed", previous)

    def approve(self, items: Iterable[TrustItem], approved_at: str) -> TrustLedger:
        """Pins each item to its current content, replacing an earlier approval of it."""
        approvals = list(self.approvals)
        for item in items:
            new = Approval(
                item.workspace, item.kind, item.item_id, item.digest, item.text, approved_at
            )
            approvals = [a for a in approvals if a.key != new.key] + [new]
        return TrustLedger(tuple(approvals))

    def revoke(self, workspace: str, path: str | None = None) -> tuple[TrustLedger, list[Approval]]:
        """Drops the workspace's approvals, or only those of one file (``path`` relative to the
        workspace, or a folder holding such files)."""
        removed = [a for a in self.approvals if _matches(a, workspace, path)]
        kept = tuple(a for a in self.approvals if a not in removed)
        return TrustLedger(kept), removed

    def in_workspace(self, workspace: str | None) -> list[Approval]:
        return [a for a in self.approvals if workspace is None or a.workspace == workspace]


def _matches(approval: Approval, workspace: str, path: str | None) -> bool:
    if approval.workspace != workspace:
        return False
    if path is None or path in ("", "."):
        return True
    file = approval.item_id.split("#", 1)[0]
    prefix = path.rstrip("/")
    return file == prefix or file.startswith(prefix + "/") or approval.item_id == path
