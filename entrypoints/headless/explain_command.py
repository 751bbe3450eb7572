"""``hexclaw permissions explain "COMMAND" [--tool Bash] [--mode M]``: prints what hexclaw
would decide for the call and which check and rule decided it; exit 0 allow, 1 ask, 2 deny.

A usage error also exits 2, with nothing on stdout and one line on stderr; a program that
must tell them apart reads the ``decision:`` line.
"""

from __future__ import annotations

import argparse
import json
import sys

from domain.errors import HexclawError
from domain.permission_modes import PERMISSION_MODES
from domain.permissions.explain import explain
from domain.tools.calls import ToolCall
from entrypoints.bootstrap import build_explain_parts, print_warnings
from entrypoints.config import RunOptions, load_config


class ExplainInputError(HexclawError):
    exit_code = 2


def add_explain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Explain what hexclaw would decide for a tool call, check by check and piece by "
        "piece: exit 0 allow, 1 ask, 2 deny."
    )
    parser.add_argument("action", choices=("explain",))
    parser.add_argument(
        "call", metavar="COMMAND", help="a command line (for Bash), or the tool's input as JSON"
    )
    parser.add_argument("--tool", default="Bash", help="the tool (default Bash)")
    parser.add_argument("--mode", choices=PERMISSION_MODES, help="the permission mode")
    parser.add_argument(
        "--allowedTools", "--allowed-tools", dest="allowed_tools", action="append", default=[]
    )
    parser.add_argument(
        "--disallowedTools",
        "--disallowed-tools",
        dest="disallowed_tools",
        action="append",
        default=[],
    )


def run_explain(args: argparse.Namespace) -> int:
    ctx = load_config(args.settings)
    options = RunOptions(
        interactive=True,
        permission_mode=args.mode,
        allowed_tools=tuple(args.allowed_tools),
        disallowed_tools=tuple(args.disallowed_tools),
    )
    parts = build_explain_parts(ctx, options)
    print_warnings(ctx)
    if args.tool not in parts.tools.names:
        known = ", ".join(sorted(parts.tools.names))
        raise ExplainInputError(f"unknown tool {args.tool!r}; hexclaw's tools are {known}")
    call = ToolCall(id="explain", name=args.tool, input=_tool_input(args.tool, args.call))
    explanation = explain(parts.policy, parts.tools.access_of(call), parts.locate)
    sys.stdout.write("\n".join(explanation.lines()) + "\n")
    return explanation.exit_code


def _tool_input(tool: str, text: str) -> dict[str, object]:
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ExplainInputError(f"the tool input is not JSON: {exc}") from None
        if isinstance(value, dict):
            return value
    if tool == "Bash":
        return {"command": text}
    raise ExplainInputError(
        f'for {tool}, give the tool\'s input as a JSON object, e.g. \'{{"file_path": "a.txt"}}\''
    )
