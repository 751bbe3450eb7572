"""``hexclaw rewind``: list a session's checkpoints, and put its files and conversation back.

``--list`` shows the turns (number, time, prompt, files changed with +/- lines); ``N`` restores
the workspace as it was when turn N started (``--code``), continues the session from just before
turn N's prompt (``--conversation``), or both (the default). Without ``--yes`` it shows what
would change and asks (or, with no terminal to ask on, stops there).
"""

from __future__ import annotations

import argparse
import sys
import time

from adapters.checkpoints.recorder import CheckpointRecorder, history_folder
from adapters.checkpoints.rewinder import Rewinder
from adapters.files.session_store import SessionFile
from adapters.system.clock import SystemClock
from domain.checkpoints.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILE_BYTES, size_limit
from domain.checkpoints.restore import Restored, RestorePlan, RewindError
from domain.display.terminal_safety import printable
from domain.sessions.log import rewound_entry
from entrypoints.bootstrap import build_session_store, print_warnings
from entrypoints.config import Config, load_config

PROMPT_SHOWN = 60


class RewindNotConfirmed(RewindError):
    exit_code = 1

    def __init__(self) -> None:
        super().__init__("nothing was changed: add --yes to rewind without a question")


def open_history(ctx: Config, session_id: str) -> Rewinder:
    recorder = CheckpointRecorder(
        ctx.workspace,
        history_folder(ctx.home, session_id),
        SystemClock(),
        max_bytes=size_limit(ctx.settings.get("checkpointMaxBytes"), DEFAULT_MAX_BYTES),
        max_file_bytes=size_limit(
            ctx.settings.get("checkpointMaxFileBytes"), DEFAULT_MAX_FILE_BYTES
        ),
    )
    return Rewinder(recorder)


def turn_lines(rewinder: Rewinder) -> list[str]:
    turns = rewinder.recorder.turns()
    if not turns:
        return ["No checkpoints in this session yet."]
    lines: list[str] = []
    for turn in turns:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(turn.at))
        prompt = " ".join(turn.prompt.split())
        if len(prompt) > PROMPT_SHOWN:
            prompt = prompt[: PROMPT_SHOWN - 1] + "…"
        gone = " (removed: store full)" if turn.evicted else ""
        lines.append(printable(f"{turn.number:>3}  {when}  {prompt or '(no prompt)'}{gone}"))
        for summary in rewinder.summaries(turn, turns):
            tag = " (new)" if summary.created else " (deleted)" if summary.deleted else ""
            lines.append(
                printable(f"       {summary.path}{tag}  +{summary.added} -{summary.removed}")
            )
        for path, reason in turn.skipped:
            lines.append(printable(f"       {path}  not kept: {reason}"))
    return lines


def preview_lines(plan: RestorePlan) -> list[str]:
    lines = [f"Rewinding to the start of turn {plan.target}:"]
    for step in plan.steps:
        verb = "delete " if step.action == "delete" else "restore"
        lines.append(printable(f"  {verb}  {step.path}"))
    if not plan.steps:
        lines.append("  no file changes")
    for path in plan.unrecorded:
        lines.append(printable(f"  left as it is (its content was not kept): {path}"))
    for path in plan.conflicts:
        lines.append(printable(f"  changed since hexclaw touched it: {path}"))
    return lines


def restored_lines(restored: Restored) -> list[str]:
    target = restored.plan.target
    if not restored.not_restored:
        return [f"Files are as they were when turn {target} started."]
    lines = [printable(item.line()) for item in restored.not_restored]
    count = len(restored.not_restored)
    lines.append(f"Files are as they were when turn {target} started, but for the {count} above.")
    return lines


def run_rewind(args: argparse.Namespace) -> int:
    ctx = load_config(args.settings)
    print_warnings(ctx)
    store = build_session_store(ctx)
    session_id = (
        store.resolve(ctx.workspace, args.session) if args.session else store.newest(ctx.workspace)
    )
    if session_id is None:
        print(f"No saved sessions for {ctx.workspace}.")
        return 1
    rewinder = open_history(ctx, session_id)
    if args.list or args.turn is None:
        print(f"Session {session_id}")
        for line in turn_lines(rewinder):
            print(line)
        return 0
    code = args.what in ("code", "both")
    conversation = args.what in ("conversation", "both")
    plan = rewinder.plan(args.turn)
    if code:
        for line in preview_lines(plan):
            print(line)
    if conversation:
        print(f"The conversation continues from before turn {args.turn}'s prompt.")
    if not args.yes and not _confirmed():
        raise RewindNotConfirmed
    left = 0
    if code:
        restored = rewinder.restore(args.turn, force=args.force)
        left = len(restored.not_restored)
        for line in restored_lines(restored):
            print(line)
    if conversation:
        path = store.folder(ctx.workspace) / f"{session_id}.jsonl"
        log = SessionFile(path, SystemClock())
        log.append(rewound_entry(plan.messages, args.turn))
        log.close()
        print(f"Continue with: hexclaw --resume {session_id}")
    # A rewind that left files as they are did not do all it was asked: a script must see it.
    return 1 if left else 0


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input("Rewind? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
