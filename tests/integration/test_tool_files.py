"""Read, Write, Edit, MultiEdit and NotebookEdit against real files in a temporary workspace."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from tests.integration.tool_harness import Harness


def test_read_numbers_lines_like_cat_n(kit: Harness) -> None:
    (kit.root / "a.txt").write_text("alpha\nbeta\n\ngamma\n")
    assert (
        kit.text("Read", file_path="a.txt")
        == "     1\talpha\n     2\tbeta\n     3\t\n     4\tgamma"
    )


def test_read_offset_and_limit_say_what_is_left(kit: Harness) -> None:
    (kit.root / "n.txt").write_text("".join(f"line {i}\n" for i in range(1, 11)))
    text = kit.text("Read", file_path=str(kit.root / "n.txt"), offset=4, limit=3)
    assert text.splitlines()[:3] == ["     4\tline 4", "     5\tline 5", "     6\tline 6"]
    assert "lines 4-6 of 10" in text
    past = kit.run("Read", file_path="n.txt", offset=11)
    assert past.is_error
    assert "10 lines" in str(past.content)


def test_read_defaults_to_2000_lines_and_cuts_long_lines(kit: Harness) -> None:
    lines = [f"{i}" for i in range(1, 2501)]
    lines[0] = "x" * 5000
    (kit.root / "big.txt").write_text("\n".join(lines) + "\n")
    text = kit.text("Read", file_path="big.txt")
    numbered = [line for line in text.splitlines() if line[:6].strip().isdigit()]
    assert len(numbered) == 2000
    assert numbered[-1] == "  2000\t2000"
    assert "3,000 more characters" in numbered[0]
    assert len(numbered[0]) < 2100
    assert "lines 1-2000 of 2500" in text


def test_read_errors_for_directories_missing_and_binary_files(kit: Harness) -> None:
    (kit.root / "dir").mkdir()
    (kit.root / "blob.bin").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    cases = {"dir": "is a directory", "nope.txt": "does not exist", "blob.bin": "binary file"}
    for path, message in cases.items():
        outcome = kit.run("Read", file_path=path)
        assert outcome.is_error, path
        assert message in str(outcome.content), path


def test_read_of_an_empty_file_says_so(kit: Harness) -> None:
    (kit.root / "empty").write_text("")
    assert "empty" in kit.text("Read", file_path="empty")


def test_read_returns_images_as_image_blocks(kit: Harness) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    (kit.root / "pic.png").write_bytes(png)
    outcome = kit.run("Read", file_path="pic.png")
    assert not outcome.is_error
    assert isinstance(outcome.content, list)
    (block,) = outcome.content
    assert block["type"] == "image"
    assert block["source"]["media_type"] == "image/png"
    assert base64.b64decode(block["source"]["data"]) == png


def test_read_decodes_latin1_and_crlf(kit: Harness) -> None:
    (kit.root / "old.txt").write_bytes("café\r\nnaïve\r\n".encode("latin-1"))
    assert kit.text("Read", file_path="old.txt") == "     1\tcafé\n     2\tnaïve"


def test_write_creates_parent_directories_and_reports_a_diff(kit: Harness) -> None:
    outcome = kit.run("Write", file_path="deep/er/new.py", content="print('hi')\n")
    assert not outcome.is_error, outcome.content
    assert (kit.root / "deep/er/new.py").read_text() == "print('hi')\n"
    assert outcome.summary == "Created deep/er/new.py (1 lines)"
    assert outcome.diff is not None
    assert "+print('hi')" in outcome.diff


def test_an_existing_file_must_be_read_before_it_is_written(kit: Harness) -> None:
    target = kit.root / "keep.txt"
    target.write_text("precious\n")
    refused = kit.run("Write", file_path="keep.txt", content="oops\n")
    assert refused.is_error
    assert "has not been read" in str(refused.content)
    assert target.read_text() == "precious\n"
    kit.run("Read", file_path="keep.txt")
    written = kit.run("Write", file_path="keep.txt", content="new\n")
    assert not written.is_error
    assert written.summary == "Updated keep.txt (+1 -1)"
    assert target.read_text() == "new\n"


def test_a_file_changed_on_disk_after_read_is_not_edited(kit: Harness) -> None:
    target = kit.root / "conf.ini"
    target.write_text("a = 1\n")
    kit.run("Read", file_path="conf.ini")
    target.write_text("a = 1\nb = 2\n")  # someone else edits it
    refused = kit.run("Edit", file_path="conf.ini", old_string="a = 1", new_string="a = 3")
    assert refused.is_error
    assert "changed on disk" in str(refused.content)
    assert target.read_text() == "a = 1\nb = 2\n"
    kit.run("Read", file_path="conf.ini")
    assert not kit.run(
        "Edit", file_path="conf.ini", old_string="a = 1", new_string="a = 3"
    ).is_error
    assert target.read_text() == "a = 3\nb = 2\n"


def test_a_same_size_change_is_caught_by_the_modification_time(kit: Harness) -> None:
    target = kit.root / "t.txt"
    target.write_text("aaaa\n")
    kit.run("Read", file_path="t.txt")
    target.write_text("bbbb\n")
    info = target.stat()
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000))
    assert kit.run("Edit", file_path="t.txt", old_string="bbbb", new_string="c").is_error


def test_edit_needs_a_unique_match_and_says_how_many_it_found(kit: Harness) -> None:
    target = kit.root / "dup.py"
    target.write_text("x = 1\ny = 1\nz = 1\n")
    kit.run("Read", file_path="dup.py")
    many = kit.run("Edit", file_path="dup.py", old_string="= 1", new_string="= 2")
    assert many.is_error
    assert "matches 3 places" in str(many.content)
    missing = kit.run("Edit", file_path="dup.py", old_string="w = 1", new_string="w = 2")
    assert missing.is_error
    assert "not found" in str(missing.content)
    same = kit.run("Edit", file_path="dup.py", old_string="x", new_string="x")
    assert same.is_error
    assert target.read_text() == "x = 1\ny = 1\nz = 1\n"
    done = kit.run("Edit", file_path="dup.py", old_string="= 1", new_string="= 2", replace_all=True)
    assert not done.is_error
    assert done.summary == "Updated dup.py: replaced 3 places (+3 -3)"
    assert target.read_text() == "x = 2\ny = 2\nz = 2\n"


def test_edit_keeps_crlf_line_endings(kit: Harness) -> None:
    target = kit.root / "win.txt"
    target.write_bytes(b"one\r\ntwo\r\nthree\r\n")
    kit.run("Read", file_path="win.txt")
    outcome = kit.run("Edit", file_path="win.txt", old_string="one\ntwo", new_string="1\n2\n2.5")
    assert not outcome.is_error, outcome.content
    assert target.read_bytes() == b"1\r\n2\r\n2.5\r\nthree\r\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("déjà vu\n".encode("latin-1"), "latin-1"),
        (b"\xef\xbb\xbf" + "déjà vu\n".encode(), "utf-8-sig"),
        (b"\xff\xfe" + "déjà vu\n".encode("utf-16-le"), "utf-16"),
    ],
)
def test_edit_keeps_the_encoding(kit: Harness, encoded: bytes, encoding: str) -> None:
    target = kit.root / "enc.txt"
    target.write_bytes(encoded)
    kit.run("Read", file_path="enc.txt")
    assert not kit.run("Edit", file_path="enc.txt", old_string="vu", new_string="revu").is_error
    data = target.read_bytes()
    assert data[:2] == encoded[:2]
    assert data.decode(encoding) == "déjà revu\n"


def test_edit_with_an_empty_old_string_creates_a_file(kit: Harness) -> None:
    outcome = kit.run("Edit", file_path="fresh.md", old_string="", new_string="# Title\n")
    assert not outcome.is_error
    assert (kit.root / "fresh.md").read_text() == "# Title\n"
    missing = kit.run("Edit", file_path="absent.md", old_string="x", new_string="y")
    assert "does not exist" in str(missing.content)


def test_edit_keeps_the_permission_bits(kit: Harness) -> None:
    script = kit.root / "run.sh"
    script.write_text("echo hi\n")
    script.chmod(0o750)
    kit.run("Read", file_path="run.sh")
    kit.run("Edit", file_path="run.sh", old_string="hi", new_string="ho")
    assert stat.S_IMODE(script.stat().st_mode) == 0o750
    assert script.read_text() == "echo ho\n"


def test_multi_edit_is_all_or_nothing(kit: Harness) -> None:
    target = kit.root / "m.py"
    target.write_text("a = 1\nb = 2\n")
    kit.run("Read", file_path="m.py")
    edits = [
        {"old_string": "a = 1", "new_string": "a = 10"},
        {"old_string": "c = 3", "new_string": "c = 30"},
    ]
    failed = kit.run("MultiEdit", file_path="m.py", edits=edits)
    assert failed.is_error
    assert "edit 2 of 2" in str(failed.content)
    assert target.read_text() == "a = 1\nb = 2\n"
    edits[1] = {"old_string": "a = 10\nb", "new_string": "a = 10\nbb"}
    done = kit.run("MultiEdit", file_path="m.py", edits=edits)
    assert not done.is_error, done.content
    assert target.read_text() == "a = 10\nbb = 2\n"


def test_a_symlink_that_leaves_the_workspace_is_outside(kit: Harness, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s3cret\n")
    (kit.root / "escape").symlink_to(outside)
    access = kit.access("Write", file_path="escape/secret.txt", content="x")
    assert access.outside_workspace
    assert access.paths == (str(kit.root / "escape/secret.txt"), str(outside / "secret.txt"))
    inside_link = kit.root / "alias.txt"
    (kit.root / "real.txt").write_text("r\n")
    inside_link.symlink_to(kit.root / "real.txt")
    assert not kit.access(
        "Edit", file_path="alias.txt", old_string="r", new_string="s"
    ).outside_workspace


def test_path_traversal_is_outside(kit: Harness, tmp_path: Path) -> None:
    access = kit.access("Read", file_path="../../etc/passwd")
    assert access.outside_workspace
    assert access.paths == (os.path.normpath(kit.root / "../../etc/passwd"),)
    assert not kit.access("Read", file_path="sub/../a.txt").outside_workspace
    assert kit.access("Write", file_path=str(tmp_path / "x"), content="").outside_workspace


def test_a_file_swapped_for_a_symlink_after_the_check_is_not_followed(
    kit: Harness, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    target = kit.root / "notes.txt"
    target.write_text("mine\n")
    kit.run("Read", file_path="notes.txt")
    call_input: dict[str, object] = {
        "file_path": "notes.txt",
        "old_string": "mine",
        "new_string": "pwned",
    }
    access = kit.access("Edit", **call_input)
    assert not access.outside_workspace  # the permission decision saw a file inside
    target.unlink()
    target.symlink_to(victim)  # swapped before the edit runs
    outcome = kit.registry.run(kit.call("Edit", call_input))
    assert outcome.is_error
    assert "nothing was written" in str(outcome.content)
    assert victim.read_text() == "untouched\n"
    assert target.is_symlink()


def test_writing_replaces_a_symlink_rather_than_following_it(kit: Harness, tmp_path: Path) -> None:
    from adapters.tools.support.safe_write import write_file

    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    link = kit.root / "link.txt"
    link.symlink_to(victim)
    with pytest.raises(Exception, match="symlink"):
        write_file(str(link), b"data")
    assert victim.read_text() == "untouched\n"


NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Title\n"]},
        {
            "cell_type": "code",
            "id": "calc",
            "metadata": {},
            "execution_count": 3,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["2\n"]}],
            "source": ["print(1 + 1)\n"],
        },
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_notebooks_are_read_by_cell_and_edited_by_id(kit: Harness) -> None:
    path = kit.root / "nb.ipynb"
    path.write_text(json.dumps(NOTEBOOK))
    shown = kit.text("Read", file_path="nb.ipynb")
    assert '<cell id="calc" type="code">' in shown
    assert "print(1 + 1)" in shown
    replaced = kit.run("NotebookEdit", notebook_path="nb.ipynb", cell_id="calc", new_source="x = 2")
    assert not replaced.is_error, replaced.content
    cells = json.loads(path.read_text())["cells"]
    assert cells[1]["source"] == ["x = 2"]
    assert cells[1]["outputs"] == []
    assert cells[1]["execution_count"] is None
    inserted = kit.run(
        "NotebookEdit",
        notebook_path="nb.ipynb",
        cell_id="intro",
        new_source="More text",
        cell_type="markdown",
        edit_mode="insert",
    )
    assert not inserted.is_error, inserted.content
    cells = json.loads(path.read_text())["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "markdown", "code"]
    assert cells[1]["source"] == ["More text"]
    assert cells[1]["id"] not in ("intro", "calc")
    deleted = kit.run(
        "NotebookEdit", notebook_path="nb.ipynb", cell_id="intro", new_source="", edit_mode="delete"
    )
    assert not deleted.is_error
    assert [c["id"] for c in json.loads(path.read_text())["cells"]] == [cells[1]["id"], "calc"]
    unknown = kit.run("NotebookEdit", notebook_path="nb.ipynb", cell_id="zzz", new_source="")
    assert "no cell with id 'zzz'" in str(unknown.content)


def test_bad_input_is_an_error_result_not_an_exception(kit: Harness) -> None:
    outcome = kit.run("Write", file_path=7, content="x")
    assert outcome.is_error
    assert "`file_path` must be a string" in str(outcome.content)
    unknown = kit.run("Frobnicate")
    assert unknown.is_error
    assert "Available tools" in str(unknown.content)
