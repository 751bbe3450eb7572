"""The bench's runtime-only venv: when it is reused, when hexclaw alone is reinstalled and when
the venv is made again, decided from a fingerprint of real files; and the copy it builds from."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.runtime_venv import copy_project, fingerprint, next_step

FILES = {
    "pyproject.toml": '[project]\nname = "hexclaw"\n',
    "constraints.txt": "httpx==0.28.1\n",
    "README.md": "# hexclaw\n",
    "scripts/hexclaw": "#!python\n",
    "scripts/hexclaw_root/__init__.py": "",
    "domain/__init__.py": "",
    "domain/model.py": "X = 1\n",
    "adapters/pricing.json": "{}\n",
    "entrypoints/cli.py": "def main() -> None: ...\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_same_tree_has_the_same_fingerprint(project: Path) -> None:
    assert fingerprint(project) == fingerprint(project)


@pytest.mark.parametrize(
    "name", ["domain/model.py", "adapters/pricing.json", "domain/new_module.py"]
)
def test_a_changed_or_new_packaged_file_changes_the_sources_only(project: Path, name: str) -> None:
    before = fingerprint(project)
    (project / name).write_text("X = 2\n")
    after = fingerprint(project)
    assert after["sources"] != before["sources"]
    assert after["dependencies"] == before["dependencies"]


def test_a_renamed_module_changes_the_sources(project: Path) -> None:
    before = fingerprint(project)
    (project / "domain/model.py").rename(project / "domain/model_catalog.py")
    assert fingerprint(project)["sources"] != before["sources"]


@pytest.mark.parametrize(
    "name",
    [
        "domain/__pycache__/model.cpython-311.pyc",
        "tests/test_model.py",
        "domain/notes.txt",
        "README.md",
    ],
)
def test_what_is_not_installed_does_not_change_the_fingerprint(project: Path, name: str) -> None:
    before = fingerprint(project)
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("changed\n")
    assert fingerprint(project) == before


@pytest.mark.parametrize("name", ["constraints.txt", "pyproject.toml"])
def test_a_changed_dependency_file_changes_the_dependencies(project: Path, name: str) -> None:
    before = fingerprint(project)
    with (project / name).open("a") as f:
        f.write("rich==15.0.0\n")
    after = fingerprint(project)
    assert after["dependencies"] != before["dependencies"]
    assert after["sources"] == before["sources"]


def test_the_venv_is_reused_only_when_nothing_changed_and_it_exists(project: Path) -> None:
    stamp = fingerprint(project)
    assert next_step(stamp, fingerprint(project), venv_exists=True) == "reuse"
    assert next_step(stamp, fingerprint(project), venv_exists=False) == "make the venv"
    assert next_step({}, fingerprint(project), venv_exists=True) == "make the venv"


def test_new_sources_reinstall_hexclaw_and_new_dependencies_make_a_new_venv(
    project: Path,
) -> None:
    stamp = fingerprint(project)
    (project / "entrypoints/cli.py").write_text("def main() -> None: print()\n")
    assert next_step(stamp, fingerprint(project), venv_exists=True) == "reinstall hexclaw"
    (project / "constraints.txt").write_text("httpx==0.28.2\n")
    assert next_step(stamp, fingerprint(project), venv_exists=True) == "make the venv"


def test_the_build_copy_holds_the_project_and_the_packages_without_bytecode_or_tests(
    project: Path, tmp_path: Path
) -> None:
    (project / "domain/__pycache__").mkdir()
    (project / "domain/__pycache__/model.cpython-311.pyc").write_bytes(b"\0")
    (project / "tests").mkdir()
    (project / "tests/test_model.py").write_text("")
    build = tmp_path / "build"
    build.mkdir()
    copy = copy_project(build, project)
    copied = sorted(str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file())
    assert copied == sorted(name for name in FILES if name != "constraints.txt")
    assert (copy / "domain/model.py").read_text() == FILES["domain/model.py"]
