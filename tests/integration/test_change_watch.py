"""The checkpoint scanner's inotify watch, against the real kernel: it starts without running
any other program, and it sees what changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from adapters.checkpoints.change_watch import ChangeWatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def test_the_watch_reports_a_file_written_and_a_folder_made(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    watch = ChangeWatch(tmp_path)
    try:
        assert watch.available
        assert watch.watch(["", "sub"])
        (tmp_path / "sub" / "new.txt").write_text("x")
        (tmp_path / "made").mkdir()
        changes = watch.drain()
        assert changes is not None
        assert {"sub/new.txt", "made"} <= changes.paths
        assert changes.structural
        quiet = watch.drain()
        assert quiet is not None
        assert quiet.paths == set()
    finally:
        watch.close()


def test_starting_the_watch_runs_no_program(tmp_path: Path) -> None:
    """``ctypes.util.find_library`` would run ``ldconfig -p`` at every session start."""
    probe = (
        "import subprocess, sys\n"
        "from pathlib import Path\n"
        "ran = []\n"
        "real = subprocess.Popen.__init__\n"
        "def spy(self, args, *a, **k):\n"
        "    ran.append(args)\n"
        "    real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "from adapters.checkpoints.change_watch import ChangeWatch\n"
        "watch = ChangeWatch(Path(sys.argv[1]))\n"
        "print(watch.available, ran)\n"
    )
    root = Path(__file__).resolve().parents[2]
    shown = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "True []"
