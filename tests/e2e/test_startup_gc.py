"""The garbage collector is off while hexclaw starts and back on once a session is built
(``entrypoints/startup_gc.py``): checked inside the real CLI, in print mode, the stream-json
session and the REPL (its input piped), by an audit hook that writes ``gc.isenabled()`` when
the Bash tool starts its shell, in the middle of a turn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw, with_startup_probe

MARK = "gc-probe-marker"
# Loaded through PYTHONPATH by the hexclaw process only (its shell is bash, not Python).
GC_PROBE = """
import gc, os, sys

_OUT = os.environ["GC_PROBE_OUT"]

def _probe(event, args):
    if event == "subprocess.Popen" and any("MARK" in str(a) for a in args[1] or ()):
        with open(_OUT, "a") as out:
            out.write(f"{gc.isenabled()}\\n")

sys.addaudithook(_probe)
""".replace("MARK", MARK)

ONE_USER_LINE = json.dumps({"type": "user", "message": {"role": "user", "content": "go"}}) + "\n"


@pytest.mark.parametrize(
    ("flags", "stdin"),
    [
        (["-p", "go"], None),
        (["-p", "--input-format", "stream-json", "--output-format", "stream-json"], ONE_USER_LINE),
        ([], "go\n"),
    ],
    ids=["print", "stream-json", "repl"],
)
def test_collection_is_on_during_a_turn(
    flags: list[str],
    stdin: str | None,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "gc.txt"
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": f"echo {MARK}"})])),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home, GC_PROBE_OUT=str(out))
    env = with_startup_probe(env, tmp_path / "probe", GC_PROBE)
    verbose = ["--verbose"] if flags else []  # -p's stream-json output needs it
    done = run_hexclaw([*flags, "--allowedTools", "Bash", *verbose], env, workspace, stdin)
    assert done.returncode == 0, done.stderr
    (result,) = [
        b
        for b in anthropic_server.requests[1].body["messages"][-1]["content"]
        if b.get("type") == "tool_result"
    ]
    assert MARK in json.dumps(result["content"])  # the shell ran, and the probe saw it start
    assert out.read_text() == "True\n"
