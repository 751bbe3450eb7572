"""Options and environment to the configuration of one run, with the warnings found on the way.

Rules a reader must not break:
- Nothing here prints and nothing here builds an adapter: a warning goes into
  ``Config.warnings`` and ``bootstrap.print_warnings`` prints it, once.
- Only the standard library and the settings reader are imported, not attrs: ``-p`` decides
  from these which MCP servers to start, and spawns them before its heavy imports, so that
  a server's own start overlaps them (importing attrs alone is about 30 ms). That is why
  ``Config`` is a plain class and ``RunOptions`` a NamedTuple (so are the settings' and the
  server entries' records); a test in ``tests/e2e/test_mcp_print_mode.py`` checks what is
  loaded when a server is spawned.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from adapters.files.settings_files import apply_env, config_home, load_settings
from domain.model_catalog import DEFAULT_MODEL
from domain.settings.merge import Settings
from domain.startup_errors import WorkingDirectoryUnusable

if TYPE_CHECKING:
    from domain.context.instruction_memory import LoadedMemory
    from domain.permissions.policy import PermissionPolicy
    from domain.skills.definitions import LoadedExtensions


class Config:
    """What every command needs: where we are, the environment and the merged settings."""

    __slots__ = (
        "environ",
        "extensions",
        "home",
        "memory",
        "permissions",
        "settings",
        "warnings",
        "workspace",
    )

    def __init__(
        self,
        workspace: Path,
        home: Path,
        environ: dict[str, str],
        settings: Settings,
        warnings: list[str] | None = None,
    ) -> None:
        self.workspace = workspace
        self.home = home
        self.environ = environ
        self.settings = settings
        self.warnings: list[str] = [] if warnings is None else warnings
        """Warnings found while configuring the run; printed once, by print_warnings."""
        self.memory: LoadedMemory | None = None
        """The instruction files in this run's system prompt, for /memory (None: not built
        yet, or --system-prompt replaced it)."""
        self.extensions: LoadedExtensions | None = None
        """Skills and custom commands, read once when the tools are built."""
        self.permissions: PermissionPolicy | None = None
        """The run's permission policy once built: its Read deny rules also keep files out
        of the instruction imports."""

    def __repr__(self) -> str:
        return f"Config(workspace={self.workspace!r}, home={self.home!r})"

    def moved_to(self, workspace: Path) -> Config:
        """The same run with another workspace (a subagent's worktree) and warnings of its
        own; everything else is shared."""
        moved = Config(workspace, self.home, self.environ, self.settings)
        moved.memory, moved.extensions, moved.permissions = (
            self.memory,
            self.extensions,
            self.permissions,
        )
        return moved

    def env(self, name: str) -> str | None:
        value = self.environ.get(name)
        return value if value else None


def load_config(settings_arg: str | None = None, sources: Sequence[str] | None = None) -> Config:
    environ = dict(os.environ)
    home = config_home(environ)
    try:
        workspace = Path.cwd().resolve()
    except OSError as exc:
        raise WorkingDirectoryUnusable(exc.strerror or type(exc).__name__) from None
    settings = load_settings(workspace, home, settings_arg, sources)
    # Settings' env reaches hexclaw itself and, through os.environ, every tool it starts.
    environ.update(apply_env(settings))
    return Config(
        workspace=workspace,
        home=home,
        environ=environ,
        settings=settings,
        warnings=list(settings.warnings),
    )


def resolve_model(ctx: Config, flag: str | None) -> str:
    return flag or ctx.env("ANTHROPIC_MODEL") or ctx.settings.get("model") or DEFAULT_MODEL


class RunOptions(NamedTuple):
    """The command-line choices that shape a run (print mode and the REPL alike)."""

    interactive: bool = False
    model: str | None = None
    max_tokens: int | None = None
    max_turns: int | None = None
    permission_mode: str | None = None
    allowed_tools: tuple[str, ...] = ()
    disallowed_tools: tuple[str, ...] = ()
    system_prompt: str | None = None
    append_system_prompt: str | None = None
    continue_session: bool = False
    resume: str | None = None
    no_session_persistence: bool = False
    record: str | None = None
    replay: str | None = None
    no_color: bool = False
    verbose: bool = False
    sandbox: bool = False
    # Headless mode (entrypoints/headless): Claude Code's flags of the same names.
    include_partial_messages: bool = False
    max_budget_usd: float | None = None
    fallback_model: str | None = None
    session_id: str | None = None
    fork_session: bool = False
    add_dirs: tuple[str, ...] = ()
    permission_prompt_tool: str | None = None
    max_thinking_tokens: int | None = None
    # --agents JSON: subagent types for this run (domain/subagents/agents_flag.py).
    agents: str | None = None
    # MCP (entrypoints/mcp_setup.py): --mcp-config values and --strict-mcp-config.
    mcp_configs: tuple[str, ...] = ()
    strict_mcp_config: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace, interactive: bool) -> RunOptions:
        return cls(
            interactive=interactive,
            model=args.model,
            max_tokens=args.max_tokens,
            max_turns=args.max_turns,
            permission_mode=args.permission_mode,
            allowed_tools=tuple(args.allowed_tools),
            disallowed_tools=tuple(args.disallowed_tools),
            system_prompt=args.system_prompt,
            append_system_prompt=args.append_system_prompt,
            continue_session=args.continue_session,
            resume=args.resume,
            no_session_persistence=args.no_session_persistence,
            record=args.record,
            replay=args.replay,
            no_color=args.no_color,
            verbose=args.verbose,
            sandbox=getattr(args, "sandbox", False),
            include_partial_messages=getattr(args, "include_partial_messages", False),
            max_budget_usd=getattr(args, "max_budget_usd", None),
            fallback_model=getattr(args, "fallback_model", None),
            session_id=getattr(args, "session_id", None),
            fork_session=getattr(args, "fork_session", False),
            add_dirs=tuple(getattr(args, "add_dirs", ())),
            permission_prompt_tool=getattr(args, "permission_prompt_tool", None),
            max_thinking_tokens=getattr(args, "max_thinking_tokens", None),
            agents=getattr(args, "agents", None),
            mcp_configs=tuple(getattr(args, "mcp_configs", None) or ()),
            strict_mcp_config=getattr(args, "strict_mcp_config", False),
        )


def number_env(ctx: Config, name: str, default: float) -> float:
    """A number of zero or more from the environment; anything else is named and ignored."""
    raw = ctx.env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        ctx.warnings.append(
            f"{name} must be a number, zero or more; got {raw!r} (using {default:g})"
        )
        return default
    return value
