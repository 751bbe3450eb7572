"""``python -m bench``: hexclaw against its peers, side by side in one run.

A full run times hexclaw installed the way a user installs it, in a runtime-only venv the
bench keeps in ``bench/.peers`` (see ``bench/runtime_venv.py``). ``--quick`` runs each row
once on small inputs and installs nothing, hexclaw included (for the test suite); ``--only
ROW`` reproduces one row; ``--doc FILE`` also writes the table as Markdown with the date and
the machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from bench import (
    checkpoints,
    machine,
    mcp_session,
    one_shot,
    parallel_tools,
    peers,
    repl_memory,
    runtime_venv,
    sandbox_session,
    search_tools,
    session_resume,
    sse_throughput,
    startup,
    stream_session,
    tool_session,
)
from bench.context import BenchContext
from bench.report import Line, render_markdown, render_text
from bench.sampling import FULL, QUICK

ROWS: tuple[ModuleType, ...] = (
    startup,
    one_shot,
    mcp_session,
    tool_session,
    sandbox_session,
    sse_throughput,
    search_tools,
    session_resume,
    repl_memory,
    checkpoints,
    stream_session,
    parallel_tools,
)
TABLE_MARK = "<!-- table -->"
# The rows that run hexclaw as a program, next to Claude Code.
RUN_PROGRAMS = {
    startup.NAME,
    one_shot.NAME,
    mcp_session.NAME,
    tool_session.NAME,
    sandbox_session.NAME,
    repl_memory.NAME,
    stream_session.NAME,
}


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    names = [row.NAME for row in ROWS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one run each, small inputs")
    parser.add_argument(
        "--only", action="append", choices=names, metavar="ROW", help=f"one of {names}"
    )
    parser.add_argument("--doc", type=Path, metavar="FILE", help="write the table as Markdown")
    return parser.parse_args(argv)


def _run_row(row: ModuleType, ctx: BenchContext) -> list[Line]:
    runner: Callable[[BenchContext], list[Line]] = row.run
    started = time.perf_counter()
    print(f"bench: {row.NAME} ...", file=sys.stderr, flush=True)
    try:
        lines = runner(ctx)
    except Exception as exc:
        lines = [
            Line(
                row=row.NAME,
                what=f"{row.NAME} (the benchmark itself failed)",
                unit="s",
                ours=None,
                peer="-",
                peer_value=None,
                target=None,
                command=ctx.command(row.NAME),
                note=f"BENCH ERROR {type(exc).__name__}: {exc}",
            )
        ]
    print(f"bench: {row.NAME} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return lines


def _header(ctx: BenchContext, started: str) -> str:
    claude = ctx.claude.version and f"Claude Code {ctx.claude.version}"
    sdk = peers.anthropic_sdk()
    rg = peers.ripgrep()
    versions = ", ".join(
        v
        for v in (
            claude or ctx.claude.problem,
            sdk.usable and f"anthropic SDK {sdk.version}",
            rg.usable and f"rg {rg.version}",
        )
        if v
    )
    return (
        f"hexclaw benchmarks ({'quick' if ctx.quick else 'full'}): {ctx.plan.label}; "
        f"ratio = hexclaw / peer\n{started}\n"
        f"hexclaw as a program: {ctx.hexclaw.where}; in-process rows: the development venv\n"
        f"Peers: {versions}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    # Before anything runs, so the load average is the machine's, not the bench's own.
    started = f"{machine.today()}; {machine.describe()}"
    selected = [row for row in ROWS if not args.only or row.NAME in args.only]
    if any(row.NAME in RUN_PROGRAMS for row in selected):
        claude = peers.claude_code(install=not args.quick)
        hexclaw = runtime_venv.development() if args.quick else runtime_venv.runtime()
    else:
        claude = peers.Peer(
            "Claude Code", None, problem="Claude Code not needed by the selected rows"
        )
        hexclaw = runtime_venv.development(note="")
    work = Path(tempfile.mkdtemp(prefix="hexclaw-bench-"))
    try:
        ctx = BenchContext(
            quick=args.quick,
            plan=QUICK if args.quick else FULL,
            work=work,
            claude=claude,
            hexclaw=hexclaw,
        )
        lines = [line for row in selected for line in _run_row(row, ctx)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header = _header(ctx, started)
    print(render_text(lines, header))
    if args.doc:
        _write_doc(args.doc, header, lines)
    return 1 if any(line.note.startswith("BENCH ERROR") for line in lines) else 0


def _write_doc(path: Path, header: str, lines: list[Line]) -> None:
    intro = "# Benchmarks\n\n"
    if path.exists():
        intro = path.read_text().split(TABLE_MARK)[0]
    body = "\n".join(f"{part}  " for part in header.splitlines())
    path.write_text(f"{intro}{TABLE_MARK}\n{body}\n\n{render_markdown(lines)}\n")


if __name__ == "__main__":
    sys.exit(main())
