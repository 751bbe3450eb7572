"""Bash, BashOutput and KillShell against real processes in a temporary workspace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from adapters.tools.bash import BashLimits
from tests.integration.tool_harness import Harness

ROOT = Path(__file__).resolve().parents[2]


def dead(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (this container's init does not)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_for_file(path: Path, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


def test_output_and_exit_code(kit: Harness) -> None:
    ok = kit.run("Bash", command="echo out; echo err >&2; echo again")
    assert not ok.is_error
    assert ok.content == "out\nerr\nagain"
    assert ok.structured is not None
    assert ok.structured["exitCode"] == 0
    failed = kit.run("Bash", command="echo partial; exit 3", description="Fail on purpose")
    assert failed.is_error
    assert failed.content == "partial\nExit code 3"
    assert failed.summary == "Fail on purpose (exit 3)"
    assert kit.text("Bash", command="true") == "(no output)"


def test_cd_persists_between_calls(kit: Harness) -> None:
    (kit.root / "sub dir").mkdir()
    kit.run("Bash", command="cd 'sub dir'")
    assert kit.text("Bash", command="pwd") == str(kit.root / "sub dir")
    kit.run("Bash", command="cd .. && mkdir -p x/y && cd x/y")
    assert kit.text("Bash", command="pwd") == str(kit.root / "x/y")
    # An exit from the command still records where it was.
    kit.run("Bash", command="cd /; cd " + str(kit.root) + "; exit 4")
    assert kit.text("Bash", command="pwd") == str(kit.root)


def test_cd_out_of_the_workspace_is_reset(kit: Harness, tmp_path: Path) -> None:
    text = kit.text("Bash", command=f"cd {tmp_path}")
    assert "reset" in text
    assert kit.text("Bash", command="pwd") == str(kit.root)


def test_a_deleted_working_directory_falls_back_to_the_root(kit: Harness) -> None:
    kit.run("Bash", command="mkdir gone && cd gone")
    (kit.root / "gone").rmdir()
    text = kit.text("Bash", command="pwd")
    assert text.startswith(str(kit.root) + "\n")
    assert "is gone" in text


def test_environment_does_not_persist_and_positional_parameters_are_empty(kit: Harness) -> None:
    kit.run("Bash", command="export HEXCLAW_TEST_VAR=1")
    assert kit.text("Bash", command='echo "[$HEXCLAW_TEST_VAR][$#][$1]"') == "[][0][]"


def test_timeout_kills_the_whole_group_even_a_grandchild_ignoring_sigterm(kit: Harness) -> None:
    # The grandchild ignores SIGTERM and sits in its own subshell: only a group SIGKILL stops it.
    command = (
        "sh -c 'trap \"\" TERM; echo $$ > stubborn.pid; while :; do sleep 0.05; done' & "
        "sleep 30 & echo $! > sleeper.pid; wait"
    )
    started = time.monotonic()
    outcome = kit.run("Bash", command=command, timeout=800)
    elapsed = time.monotonic() - started
    assert outcome.is_error
    assert "Timed out after 0.8 s" in str(outcome.content)
    assert outcome.structured is not None
    assert outcome.structured["interrupted"] is True
    assert elapsed < 0.8 + 0.5 + 1.5  # timeout + grace + slack
    for name in ("stubborn.pid", "sleeper.pid"):
        pid = int((kit.root / name).read_text())
        assert dead(pid), f"{name} ({pid}) survived"


def test_timeout_is_capped_by_the_maximum(workspace: Path) -> None:
    kit = Harness(workspace, BashLimits(default_timeout=5, max_timeout=0.5, kill_grace=0.2))
    try:
        started = time.monotonic()
        outcome = kit.run("Bash", command="sleep 10", timeout=60_000)
        assert "Timed out after 0.5 s" in str(outcome.content)
        assert time.monotonic() - started < 3
    finally:
        kit.close()


def test_ctrl_c_kills_the_group_and_reaches_the_caller(kit: Harness) -> None:
    pid_file = kit.root / "child.pid"
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            kit.run("Bash", command=f"sleep 30 & echo $! > {pid_file}; wait")
    finally:
        timer.cancel()
    assert dead(int(wait_for_file(pid_file)))


def test_a_background_straggler_does_not_hold_the_call(kit: Harness) -> None:
    started = time.monotonic()
    text = kit.text("Bash", command="sleep 20 & echo $! > straggler.pid; echo done")
    assert text == "done"
    assert time.monotonic() - started < 5
    pid = int((kit.root / "straggler.pid").read_text())
    os.kill(pid, signal.SIGKILL)


def test_long_output_is_cut_in_the_middle_with_a_note(kit: Harness) -> None:
    text = kit.text("Bash", command="seq 1 20000")
    assert text.startswith("1\n2\n3\n")
    assert text.endswith("19999\n20000")
    full = sum(len(str(i)) + 1 for i in range(1, 20001))  # seq's bytes, newlines included
    cut = full - 30_000
    assert f"[... {cut:,} characters cut ...]" in text
    assert len(text) < 30_100


MEMORY_PROBE = """
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.integration.tool_harness import Harness
kit = Harness(Path(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = kit.run("Bash", command=sys.argv[3])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kit.close()
print(json.dumps({"growth_kib": after - before, "content": outcome.content}))
"""


def probe(workspace: Path, command: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(ROOT), str(workspace), command],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_100_mb_of_output_keeps_memory_bounded(workspace: Path) -> None:
    result = probe(workspace, "head -c 100000000 /dev/zero | tr '\\0' a")
    content = str(result["content"])
    assert "[... 99,970,000 bytes cut ...]" in content
    assert content.startswith("a" * 15_000 + "\n")
    # The peak RSS of the whole process grows by far less than the 100 MB it read.
    assert int(str(result["growth_kib"])) < 20 * 1024, result["growth_kib"]


def test_background_jobs_output_status_and_kill(kit: Harness) -> None:
    started = kit.run(
        "Bash",
        command="for i in 1 2 3; do echo line$i; done; echo $$ > job.pid; sleep 30",
        run_in_background=True,
    )
    assert not started.is_error
    assert "bash_1" in str(started.content)
    pid = int(wait_for_file(kit.root / "job.pid"))
    first = kit.text("BashOutput", bash_id="bash_1")
    assert first.splitlines() == ["[bash_1: running]", "line1", "line2", "line3"]
    assert kit.text("BashOutput", bash_id="bash_1") == "[bash_1: running]\n(no new output)"
    killed = kit.run("KillShell", shell_id="bash_1")
    assert not killed.is_error
    assert dead(pid)
    assert kit.text("BashOutput", bash_id="bash_1").startswith("[bash_1: killed]")
    assert "already stopped" in kit.text("KillShell", shell_id="bash_1")
    assert kit.run("BashOutput", bash_id="bash_9").is_error


def test_background_output_can_be_filtered_and_reports_the_exit(kit: Harness) -> None:
    kit.run("Bash", command="echo keep 1; echo drop; echo keep 2; exit 5", run_in_background=True)
    deadline = time.monotonic() + 5
    # Each read returns only the output since the last one, so a read made before the exit
    # may already have taken some of the lines: collect them across reads.
    seen: list[str] = []
    while True:
        status, *lines = kit.text("BashOutput", bash_id="bash_1", filter="^keep").splitlines()
        seen += [line for line in lines if line != "(no new output)"]
        if "exited" in status:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert status == "[bash_1: exited with code 5]"
    assert seen == ["keep 1", "keep 2"]


def test_leaving_stops_every_background_job(workspace: Path) -> None:
    kit = Harness(workspace)
    kit.run("Bash", command="echo $$ > bg.pid; sleep 30", run_in_background=True)
    pid = int(wait_for_file(workspace / "bg.pid"))
    kit.close()
    assert dead(pid)
