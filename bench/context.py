"""What every benchmark row is given: the run plan, a scratch folder, hexclaw and the peers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.peers import Peer
from bench.runtime_venv import HexclawInstall
from bench.sampling import Plan


@dataclass(frozen=True)
class BenchContext:
    quick: bool
    plan: Plan
    work: Path
    claude: Peer
    hexclaw: HexclawInstall

    def command(self, row: str) -> str:
        """The command that reproduces one row on its own."""
        return f"python -m bench --only {row}" + (" --quick" if self.quick else "")

    def scratch(self, name: str) -> Path:
        folder = self.work / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder
