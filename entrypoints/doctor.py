"""``hexclaw doctor``: the sandbox's dependencies, ripgrep, the config home, credentials and
settings files, one line each, with the fix for anything wrong."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess

from domain.diagnostics.checks import Check, report
from entrypoints.bootstrap import build_auth
from entrypoints.config import Config, load_config


def run_doctor(args: argparse.Namespace) -> int:
    ctx = load_config(args.settings)
    checks = [
        sandbox_check(ctx),
        ripgrep_check(),
        config_home_check(ctx),
        credentials_check(ctx),
        settings_check(ctx),
    ]
    lines, code = report(checks)
    for line in lines:
        print(line)
    return code


def sandbox_check(ctx: Config) -> Check:
    from adapters.sandbox.availability import find_bwrap
    from domain.sandbox.errors import SandboxUnavailable

    enabled = ctx.settings.get("sandbox", "enabled") is True
    state = "enabled in settings" if enabled else "off (settings sandbox.enabled, or --sandbox)"
    try:
        bwrap = find_bwrap(ctx.environ.get("PATH"))
    except SandboxUnavailable as exc:
        return Check("sandbox", "fail" if enabled else "warn", f"{exc.cause}; {state}", exc.fix)
    version = _first_line([bwrap, "--version"])
    return Check(
        "sandbox", "ok", f"{version} at {bwrap}; user, PID and network namespaces work; {state}"
    )


def ripgrep_check() -> Check:
    from adapters.tools.support.ripgrep import ripgrep_path
    from adapters.tools.support.tool_errors import ToolError

    try:
        rg = ripgrep_path()
    except ToolError:
        return Check(
            "ripgrep",
            "fail",
            "rg not found: Grep and Glob cannot run",
            "pip install ripgrep in hexclaw's environment, or apt-get install ripgrep",
        )
    return Check("ripgrep", "ok", f"{_first_line([rg, '--version'])} at {rg}")


def config_home_check(ctx: Config) -> Check:
    home = ctx.home
    try:
        info = os.stat(home)
    except FileNotFoundError:
        return Check("config home", "ok", f"{home} does not exist yet (created when needed)")
    except OSError as exc:
        return Check("config home", "fail", f"{home}: {exc.strerror}", f"check {home}")
    loose = stat.S_IMODE(info.st_mode) & 0o077
    if info.st_uid != os.getuid():
        return Check(
            "config home", "warn", f"{home} belongs to uid {info.st_uid}", f"chown $USER {home}"
        )
    if loose & 0o022:
        return Check(
            "config home",
            "fail",
            f"{home} can be written by other users (mode {stat.S_IMODE(info.st_mode):o})",
            f"chmod 700 {home}",
        )
    if loose:
        return Check(
            "config home",
            "warn",
            f"{home} can be read by other users (mode {stat.S_IMODE(info.st_mode):o})",
            f"chmod 700 {home}",
        )
    return Check("config home", "ok", f"{home} (mode {stat.S_IMODE(info.st_mode):o})")


def credentials_check(ctx: Config) -> Check:
    from domain.auth.credential_chain import Unusable
    from domain.errors import HexclawError

    try:
        result = build_auth(ctx, check=False).resolve()
    except HexclawError as exc:
        return Check("credentials", "fail", str(exc), "fix the settings named above")
    if isinstance(result, Unusable):
        return Check("credentials", "fail", result.reason, str(result.error))
    return Check("credentials", "ok", f"{result.source} ({result.reason})")


def settings_check(ctx: Config) -> Check:
    layers = ctx.settings.layers
    warnings = ctx.settings.warnings
    if warnings:
        return Check(
            "settings",
            "warn",
            f"{len(warnings)} warning(s), first: {warnings[0]}",
            "edit the file it names (hexclaw prints every warning at startup)",
        )
    shown = ", ".join(layers) if layers else "none found (defaults in use)"
    return Check("settings", "ok", shown)


def _first_line(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return argv[0]
    return (done.stdout.strip().splitlines() or [argv[0]])[0]
