"""``hexclaw sessions``: the saved sessions of this folder, newest first."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import datetime
from typing import TextIO

from adapters.files.session_store import ListedSession
from entrypoints import say
from entrypoints.bootstrap import build_session_store, print_warnings
from entrypoints.config import load_config

_ID_WIDTH = 36
_MIN_PROMPT_WIDTH = 20


def run_sessions(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    ctx = load_config(args.settings)
    print_warnings(ctx)
    listed = build_session_store(ctx).list_sessions(ctx.workspace)
    if not listed:
        say.line(f"No saved sessions for {ctx.workspace}.", out)
        return 0
    width = shutil.get_terminal_size((100, 24)).columns
    prompt_width = max(_MIN_PROMPT_WIDTH, width - _ID_WIDTH - 2 - 16 - 2 - 8 - 2)
    say.line(f"{'ID':<{_ID_WIDTH}}  {'STARTED':<16}  {'MESSAGES':>8}  FIRST PROMPT", out)
    for session in listed:
        say.line(_row(session, prompt_width), out)
    say.line(f"Resume one with: hexclaw --resume ID   ({len(listed)} in {ctx.workspace})", out)
    return 0


def _row(session: ListedSession, prompt_width: int) -> str:
    summary = session.summary
    if summary is None:
        started, count = "?", "?"
        prompt = f"({session.problem}: upgrade hexclaw to resume)"
    else:
        started, count = _local_time(summary.started_at), str(summary.message_count)
        # The first prompt may have been piped in: escapes in it must not reach the terminal.
        prompt = say.one_line(summary.first_prompt) or "(no prompt)"
    if len(prompt) > prompt_width:
        prompt = prompt[: prompt_width - 1] + "…"
    return f"{session.session_id:<{_ID_WIDTH}}  {started:<16}  {count:>8}  {prompt}"


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16] or "?"
