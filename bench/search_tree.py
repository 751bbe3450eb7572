"""A generated source tree for the search benchmarks: deterministic, with a known needle."""

from __future__ import annotations

from pathlib import Path

NEEDLE = "bench_needle_token"
EXTENSIONS = ("py", "txt", "md", "json")
FILES_PER_DIR = 100
DIRS_PER_PACKAGE = 10
NEEDLE_EVERY = 97  # about one file in a hundred holds the needle


def _content(number: int) -> str:
    lines = [f"# generated file {number}"]
    lines += [f"value_{number}_{i} = compute({i}, {number % 13})" for i in range(12)]
    if number % NEEDLE_EVERY == 0:
        lines.insert(6, f"call({NEEDLE!r})  # the needle")
    return "\n".join(lines) + "\n"


def generate(root: Path, files: int) -> int:
    """Write ``files`` files under ``root``; returns how many hold the needle."""
    with_needle = 0
    for number in range(files):
        directory, index = divmod(number, FILES_PER_DIR)
        package, module = divmod(directory, DIRS_PER_PACKAGE)
        folder = root / f"pkg{package:03d}" / f"mod{module}"
        if index == 0:
            folder.mkdir(parents=True, exist_ok=True)
        extension = EXTENSIONS[number % len(EXTENSIONS)]
        (folder / f"file{index:03d}.{extension}").write_text(_content(number))
        with_needle += number % NEEDLE_EVERY == 0
    return with_needle
