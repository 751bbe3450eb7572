"""Property: after any sequence of file changes by Write and Bash over several turns, rewinding
to any turn reproduces that turn's starting workspace exactly (bytes and mode)."""

from __future__ import annotations

import shlex
import shutil
import stat
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.checkpoints.recorder import CheckpointingTools, CheckpointRecorder
from adapters.checkpoints.rewinder import Rewinder
from adapters.system.clock import SystemClock
from domain.tools.calls import ToolCall
from tests.integration.tool_harness import Harness

NAMES = ["a.txt", "b.bin", "sub/c.txt", "sub/deep/d.txt"]


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def bash_op(name: str, other: str, kind: str, data: bytes) -> str:
    quoted, target = shlex.quote(name), shlex.quote(other)
    octal = "".join(f"\\{b:03o}" for b in data)
    return {
        "write": f"mkdir -p $(dirname {quoted}) && printf '{octal}' > {quoted}",
        "append": f"mkdir -p $(dirname {quoted}) && printf '{octal}' >> {quoted}",
        "delete": f"rm -f {quoted}",
        "rename": f"[ -f {quoted} ] && mkdir -p $(dirname {target}) && mv {quoted} {target}; true",
        "chmod": f"[ -f {quoted} ] && chmod 600 {quoted}; true",
    }[kind]


operation = st.tuples(
    st.sampled_from(["bash", "write"]),
    st.sampled_from(NAMES),
    st.sampled_from(NAMES),
    st.sampled_from(["write", "append", "delete", "rename", "chmod"]),
    st.binary(max_size=12),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    turns=st.lists(st.lists(operation, min_size=1, max_size=3), min_size=1, max_size=4),
    inotify=st.booleans(),
    data=st.data(),
)
def test_rewinding_to_any_turn_reproduces_its_start(
    turns: list[list[tuple[str, str, str, str, bytes]]], inotify: bool, data: st.DataObject
) -> None:
    root = Path(tempfile.mkdtemp(prefix="rewind-property-"))
    workspace, history = root / "ws", root / "history"
    workspace.mkdir()
    (workspace / "a.txt").write_text("initial\n")
    harness = Harness(workspace)
    try:
        recorder = CheckpointRecorder(workspace, history, SystemClock(), 1 << 30, 1 << 20)
        if not inotify:
            # Where inotify is missing the scanner stats every file: that path must agree too.
            recorder.scanner._watch.close()
        tools = CheckpointingTools(harness.registry, recorder)
        starts: list[dict[str, tuple[bytes, int]]] = []
        for number, ops in enumerate(turns, start=1):
            starts.append(tree(workspace))
            recorder.begin_turn(f"turn {number}", 0)
            for index, (tool, name, other, kind, payload) in enumerate(ops):
                call_id = f"toolu_{number}_{index}"
                if tool == "write" and not (workspace / name).exists():
                    (workspace / name).parent.mkdir(parents=True, exist_ok=True)
                    call = ToolCall(
                        call_id,
                        "Write",
                        {"file_path": name, "content": payload.decode("latin-1")},
                    )
                else:
                    call = ToolCall(
                        call_id, "Bash", {"command": bash_op(name, other, kind, payload)}
                    )
                tools.run(call)
        target = data.draw(st.integers(min_value=1, max_value=len(turns)))
        Rewinder(recorder).restore(target)
        assert tree(workspace) == starts[target - 1]
    finally:
        harness.close()
        shutil.rmtree(root, ignore_errors=True)
