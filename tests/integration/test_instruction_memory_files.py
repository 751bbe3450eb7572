"""Instruction memory over real files: the adapter plus discovery, imports, cycles, budgets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapters.files.memory_files import MAX_READ_BYTES, MemoryFiles
from domain.context.instruction_memory import (
    MemoryBudget,
    UnreadableInstructionFile,
    describe_memory,
    discovery_plan,
    load_memory,
)
from tests.fakes.instruction_files import InMemoryFiles


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home" / ".claude"
    home.mkdir(parents=True)
    repo = tmp_path / "repo"
    (repo / "app" / ".claude").mkdir(parents=True)
    (repo / "docs").mkdir()
    (home / "CLAUDE.md").write_text("Answer in British English.\n")
    (repo / "CLAUDE.md").write_text("Repo rules. See @docs/testing.md\n")
    (repo / "docs" / "testing.md").write_text("Run pytest. Also @../CLAUDE.md again.\n")
    (repo / "app" / "AGENTS.md").write_text("agents file, ignored here\n")
    (repo / "app" / ".claude" / "CLAUDE.md").write_text("App rules. @../notes.md\n")
    (repo / "app" / "notes.md").write_text("é notes ✓\n")
    (repo / "app" / "CLAUDE.local.md").write_text("My local rules.\n")
    return home, repo / "app"


def test_real_tree_discovery_imports_and_cycle(tree: tuple[Path, Path]) -> None:
    home, app = tree
    memory = load_memory(discovery_plan(str(app), str(home)), MemoryFiles())
    repo = app.parent
    # Only what this test wrote: the walk also visits the real ancestors of tmp_path.
    included = [
        (Path(e.path), e.kind, e.depth)
        for e in memory.included
        if e.path.startswith(str(home.parent.parent))
    ]
    assert included == [
        (home / "CLAUDE.md", "user", 0),
        (repo / "CLAUDE.md", "project", 0),
        (repo / "docs" / "testing.md", "import", 1),
        (app / ".claude" / "CLAUDE.md", "project", 0),
        (app / "notes.md", "import", 1),
        (app / "CLAUDE.local.md", "local", 0),
    ]
    assert memory.included[4].text == "é notes ✓\n"
    skipped = {Path(e.path): e.detail for e in memory.entries if e.status == "skipped"}
    assert skipped[app / "AGENTS.md"] == f"{app / '.claude' / 'CLAUDE.md'} is read instead"
    cycle = skipped[repo / "CLAUDE.md"]
    assert cycle == (
        f"import cycle: {repo / 'CLAUDE.md'} -> {repo / 'docs' / 'testing.md'} -> "
        f"{repo / 'CLAUDE.md'}"
    )
    listing = "\n".join(describe_memory(memory))
    assert "6 loaded" in listing
    assert f"[skipped] {repo / 'CLAUDE.md'}: imported by {repo / 'docs' / 'testing.md'}" in listing


def test_real_files_obey_budgets(tmp_path: Path) -> None:
    home = tmp_path / "claude-home"
    home.mkdir()
    (home / "CLAUDE.md").write_text("a" * 50)
    (tmp_path / "CLAUDE.md").write_text("b\n" * 100)
    budget = MemoryBudget(per_file_chars=80, total_chars=120)
    memory = load_memory(discovery_plan(str(tmp_path), str(home)), MemoryFiles(), budget)
    first, second = memory.included
    assert (first.status, first.chars) == ("loaded", 50)
    assert (second.status, second.chars) == ("cut", 70)
    assert second.text.startswith("b\n" * 35 + "\n\n[hexclaw: this file was cut here; 130 of 200")
    assert memory.total_chars == 120


def test_reader_reports_missing_directory_and_binary_files(tmp_path: Path) -> None:
    reader = MemoryFiles()
    assert reader.text_of(str(tmp_path / "nope.md")) is None
    assert reader.text_of(str(tmp_path / "not-a-dir" / "x.md")) is None
    (tmp_path / "CLAUDE.md").mkdir()
    with pytest.raises(UnreadableInstructionFile, match="it is a directory"):
        reader.text_of(str(tmp_path / "CLAUDE.md"))
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
    with pytest.raises(UnreadableInstructionFile, match="not a text file"):
        reader.text_of(str(tmp_path / "bin.md"))


def test_reader_strips_bom_and_caps_huge_files(tmp_path: Path) -> None:
    (tmp_path / "bom.md").write_bytes(b"\xef\xbb\xbfhello")
    assert MemoryFiles().text_of(str(tmp_path / "bom.md")) == "hello"
    (tmp_path / "huge.md").write_bytes(b"x" * (MAX_READ_BYTES + 10))
    text = MemoryFiles().text_of(str(tmp_path / "huge.md"))
    assert text is not None
    assert len(text) == MAX_READ_BYTES


@pytest.mark.parametrize("kind", ["real", "fake"])
def test_fake_reader_honours_the_same_contract(tmp_path: Path, kind: str) -> None:
    (tmp_path / "a.md").write_text("text")
    (tmp_path / "dir.md").mkdir()
    reader = (
        MemoryFiles()
        if kind == "real"
        else InMemoryFiles({str(tmp_path / "a.md"): "text", str(tmp_path / "dir.md"): None})
    )
    assert reader.text_of(str(tmp_path / "a.md")) == "text"
    assert reader.text_of(str(tmp_path / "missing.md")) is None
    with pytest.raises(UnreadableInstructionFile):
        reader.text_of(str(tmp_path / "dir.md"))


def test_real_links_and_paths_out_of_the_project_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = home / ".claude"
    config.mkdir(parents=True)
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("aws_secret_access_key = S3CRET\n")
    dotfiles = home / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "style.md").write_text("user style\n")
    (config / "CLAUDE.md").write_text("@style.md\n")
    (config / "style.md").symlink_to(dotfiles / "style.md")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "CLAUDE.md").write_text("@notes.md @~/.aws/credentials @../home/.aws/credentials\n")
    (repo / "notes.md").symlink_to(home / ".aws" / "credentials")
    (repo / "CLAUDE.local.md").symlink_to(home / ".aws" / "credentials")
    memory = load_memory(discovery_plan(str(repo), str(config)), MemoryFiles(), home=str(home))
    loaded = [e.path for e in memory.included if e.path.startswith(str(tmp_path))]
    assert loaded == [str(config / "CLAUDE.md"), str(config / "style.md"), str(repo / "CLAUDE.md")]
    assert "S3CRET" not in "".join(e.text for e in memory.entries)
    refused = {e.path: e.detail for e in memory.entries if e.refused}
    credentials = os.path.realpath(home / ".aws" / "credentials")
    assert refused == {
        str(repo / "notes.md"): f"it is a link to {credentials}, outside {repo}",
        str(home / ".aws" / "credentials"): (
            f"it is outside {repo}, where this file's imports must stay"
        ),
        str(repo / "CLAUDE.local.md"): f"it is a link to {credentials}, outside {repo}",
    }
