"""Binary files given to the file tools. Read refuses one (see test_tool_files), so no change can
be based on it: Edit, MultiEdit, Write and NotebookEdit refuse it too and it keeps every byte.
A file that only looks like text (binary bytes after the sniffed start) is edited byte-exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.tools.support.text_files import SNIFF_BYTES
from tests.integration.tool_harness import Harness

BLOB = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40 + b"old"


@pytest.fixture
def kit(kit: Harness, workspace: Path) -> Harness:
    (workspace / "tool.bin").write_bytes(BLOB)
    (workspace / "nb.ipynb").write_bytes(BLOB)
    return kit


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [
        ("Edit", {"file_path": "tool.bin", "old_string": "old", "new_string": "new"}),
        ("MultiEdit", {"file_path": "tool.bin", "edits": [{"old_string": "o", "new_string": "n"}]}),
        ("Write", {"file_path": "tool.bin", "content": "replaced\n"}),
        ("NotebookEdit", {"notebook_path": "nb.ipynb", "cell_id": "x", "new_source": "y"}),
    ],
)
def test_changing_a_binary_file_is_refused_and_it_keeps_every_byte(
    kit: Harness, tool: str, tool_input: dict[str, object]
) -> None:
    name = str(tool_input.get("file_path") or tool_input["notebook_path"])
    read = kit.run("Read", file_path=name)
    assert read.is_error
    assert "binary file" in str(read.content)
    outcome = kit.run(tool, **tool_input)
    assert outcome.is_error
    assert f"{name} has not been read in this session" in str(outcome.content)
    assert (kit.root / name).read_bytes() == BLOB


def test_binary_bytes_after_a_text_start_survive_an_edit_byte_for_byte(kit: Harness) -> None:
    head = b"version = 1\n" + b"# padding\n" * (SNIFF_BYTES // 10)
    tail = b"\x00\xff\xfe\x80 raw \x00 bytes\n"
    (kit.root / "mixed.dat").write_bytes(head + tail)
    assert not kit.run("Read", file_path="mixed.dat").is_error
    edited = kit.run("Edit", file_path="mixed.dat", old_string="version = 1", new_string="v = 2")
    assert not edited.is_error, edited.content
    assert (kit.root / "mixed.dat").read_bytes() == head.replace(b"version = 1", b"v = 2") + tail
