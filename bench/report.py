"""The benchmark table: one line per measured quantity, its peer, the ratio and the target.

The ratio is always hexclaw's value divided by the peer's, so a target reads as a bound
on it: "at most 0.5x" of a peer's wall time, "at least 3x" a peer's throughput.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Bound = Literal["at most", "at least"]


@dataclass(frozen=True)
class Target:
    bound: Bound
    value: float
    absolute: bool = False  # a bound on hexclaw's own value (in its unit), not on the ratio

    def met_by(self, ours: float, ratio: float | None) -> bool | None:
        subject = ours if self.absolute else ratio
        if subject is None:
            return None
        return subject <= self.value if self.bound == "at most" else subject >= self.value

    def describe(self, unit: str) -> str:
        sign = "≤" if self.bound == "at most" else "≥"
        if self.absolute:
            return f"{sign} {format_value(self.value, unit)}"
        return f"{sign} {self.value:.3g}x"


@dataclass(frozen=True)
class Line:
    """One measured quantity. A missing value carries the reason in ``note``."""

    row: str
    what: str
    unit: str
    ours: float | None
    peer: str
    peer_value: float | None
    target: Target | None
    command: str
    note: str = ""
    runs: int = 0

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.peer_value is None or self.peer_value == 0:
            return None
        return self.ours / self.peer_value

    @property
    def verdict(self) -> str:
        if self.ours is None:
            return "NOT MEASURED"
        if self.target is None:
            return "info"
        met = self.target.met_by(self.ours, self.ratio)
        if met is None:
            return "NO PEER"
        return "met" if met else "MISSED"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "events/s":
        if value >= 1e6:
            return f"{value / 1e6:.2f} M ev/s"
        return f"{value / 1e3:.1f} k ev/s" if value >= 1e3 else f"{value:.0f} ev/s"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.3g} {unit}"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.2f}x" if ratio < 100 else f"{ratio:.0f}x"


HEADERS = ("what", "hexclaw", "peer", "peer value", "ratio", "target", "verdict")


def _cells(line: Line) -> tuple[str, ...]:
    target = line.target.describe(line.unit) if line.target else "-"
    return (
        line.what,
        format_value(line.ours, line.unit),
        line.peer,
        format_value(line.peer_value, line.unit),
        format_ratio(line.ratio),
        target,
        line.verdict,
    )


def _notes(lines: Sequence[Line]) -> list[str]:
    return [f"- {line.what}: {line.note}" for line in lines if line.note]


def _commands(lines: Sequence[Line]) -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        seen.setdefault(line.command, None)
    return list(seen)


def render_text(lines: Sequence[Line], header: str) -> str:
    rows = [HEADERS, *(_cells(line) for line in lines)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    out = [header, ""]
    for number, row in enumerate(rows):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    notes = _notes(lines)
    if notes:
        out += ["", "Notes:", *notes]
    out += ["", "Reproduce a row:", *(f"  {command}" for command in _commands(lines))]
    return "\n".join(line.rstrip() for line in out)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("*", "\\*")


def render_markdown(lines: Sequence[Line]) -> str:
    out = [
        "| " + " | ".join(HEADERS) + " | reproduce |",
        "|" + "---|" * (len(HEADERS) + 1),
    ]
    for line in lines:
        cells = [*_cells(line), f"`{line.command}`"]
        out.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    notes = _notes(lines)
    if notes:
        out += ["", "Notes:", "", *notes]
    return "\n".join(out)
