"""``hexclaw --version`` and ``--help``: right answers, fast, without the heavy libraries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from domain.version import VERSION
from tests.support import HEXCLAW, ROOT

HEAVY = ("httpx", "rich", "prompt_toolkit")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No credentials anywhere: neither in the environment nor in a config home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "HEXCLAW_"))
    }
    env.update(PYTHONPATH=str(ROOT), HOME=str(home), CLAUDE_CONFIG_HOME=str(home / ".claude"))
    env.update(extra)
    return env


def run_quietly(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in ``tmp_path`` with no credentials and no settings of the user's."""
    return subprocess.run(
        argv,
        env=clean_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def imported_modules(importtime_stderr: str) -> set[str]:
    """Top-level module names from ``-X importtime`` output."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    return names


@pytest.mark.parametrize("flag", ["--version", "-v", "--help", "-h"])
def test_version_and_help_do_not_import_heavy_libraries(flag: str, tmp_path: Path) -> None:
    done = run_quietly(
        [sys.executable, "-X", "importtime", "-m", "entrypoints.cli", flag], tmp_path
    )
    assert done.returncode == 0, done.stderr
    modules = imported_modules(done.stderr)
    assert "entrypoints" in modules  # the measurement sees our own imports
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_print_mode_does_import_httpx_so_the_check_above_can_fail(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "entrypoints.cli", "-p", "hi"],
        env=clean_env(tmp_path),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    modules = imported_modules(done.stderr)
    assert "httpx" in modules
    # httpx's own command line (click, rich, pygments) is never loaded: click is installed here
    # (the dev tools and the MCP SDK bring it), so without adapters/http it would be.
    cli = modules & {"click", "rich", "pygments"}
    assert not cli, sorted(cli)


def test_installed_console_script_answers_version_without_heavy_imports(tmp_path: Path) -> None:
    script = shutil.which("hexclaw", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the hexclaw console script is not installed in this environment")
    done = subprocess.run(
        [script, "--version"],
        env=clean_env(tmp_path, PYTHONPROFILEIMPORTTIME="1"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"{VERSION} (hexclaw)"
    assert not imported_modules(done.stderr) & set(HEAVY)


def test_version_output(tmp_path: Path) -> None:
    done = run_quietly([*HEXCLAW, "--version"], tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{VERSION} (hexclaw)\n", "")


def test_help_describes_print_mode_formats_and_credentials(tmp_path: Path) -> None:
    done = run_quietly([*HEXCLAW, "--help"], tmp_path)
    assert done.returncode == 0
    for expected in ("-p, --print", "--output-format", "stream-json", "--model", "--max-turns"):
        assert expected in done.stdout
    assert "ANTHROPIC_API_KEY" in done.stdout
    assert done.stderr == ""


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    done = run_quietly([*HEXCLAW, "--definitely-not-an-option"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("hexclaw: ")
    assert "--definitely-not-an-option" in done.stderr
    assert "hexclaw --help" in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("unbuffered", [True, False], ids=["written-at-once", "flushed-at-exit"])
def test_output_that_cannot_be_written_is_one_line_and_status_120(
    unbuffered: bool, tmp_path: Path
) -> None:
    # Buffered, the write fails in the last flush at exit, which the interpreter's teardown
    # used to report in an "Exception ignored" block; unbuffered, in the write itself.
    env = clean_env(tmp_path)
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*HEXCLAW, "--version"],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 120
    assert done.stderr == "hexclaw: cannot write the output: No space left on device\n"
