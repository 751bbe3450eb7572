"""The installed wheel claims only hexclaw's own names in site-packages.

PyPI has distributions named ``entrypoints`` and ``adapters``. Installed beside hexclaw they
must keep their own top-level packages, and removing either must leave hexclaw working.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from bench.runtime_venv import copy_project

# Building the wheel and installing it with its dependencies takes a while on a busy machine.
pytestmark = pytest.mark.timeout(900)

ROOT = Path(__file__).resolve().parents[2]
# PyPI's namesakes, without their own dependencies (adapters would pull in transformers).
NAMESAKES = ("entrypoints==0.4", "adapters==1.3.0")


def run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=600, cwd=cwd, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("install")
    # Built from a copy, as the bench does: setuptools would leave build/ in the checkout.
    project = copy_project(where / "source")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", where, project)
    assert built.returncode == 0, built.stderr
    wheel = next(where.glob("hexclaw-*.whl"))
    env = where / "venv"
    venv.create(env, with_pip=True)
    pip = (env / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check")
    namesakes = run(*pip, "--no-deps", *NAMESAKES)
    if namesakes.returncode != 0:
        pytest.skip(f"PyPI's entrypoints/adapters could not be installed: {namesakes.stderr}")
    hexclaw = run(*pip, "-c", ROOT / "constraints.txt", wheel)
    assert hexclaw.returncode == 0, hexclaw.stderr
    return env


def test_the_wheel_puts_the_code_inside_a_hexclaw_folder(installed: Path) -> None:
    site = next(installed.glob("lib/python*/site-packages"))
    assert (site / "hexclaw" / "entrypoints" / "cli.py").is_file()
    assert not (site / "domain").exists()
    # The namesakes' own files are the ones at the top level.
    assert (site / "adapters" / "composition.py").is_file()


def test_pypis_entrypoints_still_imports_as_itself(installed: Path) -> None:
    probe = run(
        installed / "bin" / "python",
        "-c",
        # PyPI's adapters cannot be imported without transformers: find it without running it.
        "import importlib.util, entrypoints; print(entrypoints.__file__); "
        "print(hasattr(entrypoints, 'get_group_all')); "
        "print(importlib.util.find_spec('adapters').origin)",
        cwd=installed,  # not the checkout, whose own folders would come first on sys.path
    )
    assert probe.returncode == 0, probe.stderr
    entry_file, has_api, adapters_file = probe.stdout.split()
    assert "/hexclaw/" not in entry_file
    assert has_api == "True"
    assert "/hexclaw/" not in adapters_file
    check = run(installed / "bin" / "python", "-m", "pip", "check", cwd=installed)
    # adapters without transformers is reported; nothing may be said about hexclaw.
    assert not [line for line in check.stdout.splitlines() if line.lower().startswith("hexclaw")]


def test_hexclaw_keeps_working_when_the_namesakes_are_uninstalled(
    installed: Path, tmp_path: Path
) -> None:
    hexclaw = installed / "bin" / "hexclaw"
    for name in ("entrypoints", "adapters"):
        removed = run(
            installed / "bin" / "python", "-m", "pip", "uninstall", "-y", "-q", name, cwd=tmp_path
        )
        assert removed.returncode == 0, removed.stderr
        version = run(hexclaw, "--version", cwd=tmp_path)
        assert version.returncode == 0, version.stderr
        assert "(hexclaw)" in version.stdout
        # `auth status` imports the adapters (credentials file, the chain) and says what is set.
        status = subprocess.run(
            [str(hexclaw), "auth", "status"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "CLAUDE_CONFIG_HOME": str(tmp_path / "home")},
            check=False,
        )
        assert "Traceback" not in status.stderr, status.stderr
        assert status.returncode in (0, 1), status.stderr
