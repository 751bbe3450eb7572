"""The arguments of ``hexclaw mcp ...`` and the ``--mcp-config`` flags (standard library only:
this runs whenever the main parser is built)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn

SCOPES = ("local", "project", "user")
ACTIONS = ("add", "add-json", "list", "get", "remove", "login", "logout")


class McpArgumentError(Exception):
    """Bad ``hexclaw mcp`` arguments: the CLI's usage error (exit 2, one line)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise McpArgumentError(f"{message} (see `hexclaw mcp --help`)")


def add_mcp_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mcp-config",
        dest="mcp_configs",
        action="append",
        default=[],
        metavar="FILE_OR_JSON",
        help="MCP servers from a JSON file or string (repeatable)",
    )
    parser.add_argument(
        "--strict-mcp-config",
        action="store_true",
        help="only the servers of --mcp-config, none from the other configuration",
    )


def parse_mcp(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments; for ``add``, everything after ``--`` is the server's command line."""
    argv = list(argv)
    command: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, command = argv[:split], argv[split + 1 :]
    parser = _Parser(prog="hexclaw mcp", description="Configure and check MCP servers.")
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("name", nargs="?", help="the server's name")
    parser.add_argument("target", nargs="*", help="add: the URL, or the command and arguments")
    parser.add_argument("--transport", "-t", choices=("stdio", "http", "sse"))
    parser.add_argument("--scope", "-s", choices=SCOPES)
    parser.add_argument("-e", "--env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("-H", "--header", action="append", default=[], metavar="'Name: value'")
    parser.add_argument("--settings", metavar="FILE", help="one more settings.json layer")
    add_mcp_config_arguments(parser)
    args = parser.parse_intermixed_args(argv)
    args.target = [*args.target, *command]
    return args
