"""One doctor check's outcome, and the report the user reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from domain.repr_base import Record

Status = Literal["ok", "warn", "fail"]
_MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


@attrs.frozen(repr=False)
class Check(Record):
    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{_MARK[self.status]}  {self.name}: {self.detail}"
        return f"{text}; fix: {self.fix}" if self.fix and self.status != "ok" else text


def report(checks: Sequence[Check]) -> tuple[list[str], int]:
    """The lines to print and the exit code: 1 when any check failed (warnings are fine)."""
    failed = sum(check.status == "fail" for check in checks)
    warned = sum(check.status == "warn" for check in checks)
    summary = (
        "all checks passed"
        if not failed and not warned
        else f"{failed} failed, {warned} to look at"
    )
    return [*(check.line() for check in checks), summary], 1 if failed else 0
