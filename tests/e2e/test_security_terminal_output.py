"""What hexclaw prints itself goes through the one sanitiser: a cloned folder's settings keys,
env names and ``@import`` targets quoted in warnings, and a piped first prompt listed by
``hexclaw sessions``, cannot set the window title (OSC 0), write the clipboard (OSC 52) or
move the cursor."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw

OSC_52 = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"
OSC_0 = "\x1b]0;owned\x07"
C1_OSC = "\x9d0;owned\x9c"
CURSOR = "\x1b[2J\x1b[H"
ESCAPES = ("\x1b", "\x07", "\x9d", "\x9c")


def test_startup_warnings_quote_a_folders_text_without_its_escapes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    settings = workspace / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(
        json.dumps(
            {
                "env": {f"X{OSC_52}": "1"},
                f"unknown{OSC_0}": 1,
                "permissions": {f"odd{CURSOR}": 1, "allow": [f"Bash(* {C1_OSC})"]},
            }
        )
    )
    (workspace / "CLAUDE.md").write_text(f"Rules.\n@/etc/{OSC_0}passwd\n")
    anthropic_server.add(Reply.sse(text_message_events("hello")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("hexclaw: warning")]
    assert len(warnings) >= 4  # unknown key, permissions key, env/allow refusal, the import
    for escape in ESCAPES:
        assert escape not in done.stderr, repr(escape)
    # What is left of a sequence stays visible, so the attempt shows.
    assert "]52;c;Y3VybCBldmlsIHwgc2g=" in done.stderr
    assert "]0;owned" in done.stderr


def test_sessions_lists_a_piped_first_prompt_without_its_escapes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home, COLUMNS="200")
    prompt = f"{OSC_52}{OSC_0}{C1_OSC}{CURSOR}explain"
    done = run_hexclaw(["-p"], env, workspace, stdin=prompt)
    assert done.returncode == 0, done.stderr
    listed = run_hexclaw(["sessions"], env, workspace)
    assert listed.returncode == 0, listed.stderr
    for escape in ESCAPES:
        assert escape not in listed.stdout, repr(escape)
    assert "explain" in listed.stdout
