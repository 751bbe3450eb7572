"""Every proxy cassette replays through the hexclaw CLI, offline and without credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.proxy_quirks import ANSWER, FOREIGN_TOOL_ID, QUIRKS, Quirk
from tests.fakes.record_cassettes import CASSETTES, quirk_args
from tests.fakes.record_live import SCENARIOS, LiveScenario
from tests.support import run_hexclaw

PLAIN = [q for q in QUIRKS if q.name != "foreign-tool-call-ids"]
USAGE = {
    "usage-only-in-message-delta": (25, 9),
    "zeroed-usage-in-message-start": (31, 12),
}


def offline_env(home: Path) -> dict[str, str]:
    """No key, no base URL: a replay must need neither, and must not reach the network."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE_", "HEXCLAW_"))
    }
    env.update(
        CLAUDE_CONFIG_HOME=str(home),
        HOME=str(home.parent),
        NO_COLOR="1",
        PYTHONPATH=str(CASSETTES.parent),
        HTTPS_PROXY="http://127.0.0.1:9",  # anything that tried the network would fail
    )
    return env


def _replay(quirk: Quirk, tmp_path: Path, output: str = "json") -> tuple[int, str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    args = quirk_args(quirk)
    args[args.index("--output-format") + 1] = output
    cassette = CASSETTES / "proxy" / f"{quirk.name}.yaml"
    done = run_hexclaw([*args, "--replay", str(cassette)], offline_env(home), tmp_path)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("quirk", PLAIN, ids=lambda q: q.name)
def test_the_cli_gives_the_plain_answer_through_every_quirk(quirk: Quirk, tmp_path: Path) -> None:
    code, out, err = _replay(quirk, tmp_path)
    assert (code, err) == (0, "")
    result: dict[str, Any] = json.loads(out)
    assert (result["subtype"], result["result"], result["stop_reason"]) == (
        "success",
        ANSWER,
        "end_turn",
    )
    usage = result["usage"]
    assert (usage["input_tokens"], usage["output_tokens"]) == USAGE.get(quirk.name, (12, 7))


def test_the_cli_answers_a_foreign_tool_call_id_with_the_same_id(tmp_path: Path) -> None:
    quirk = next(q for q in QUIRKS if q.name == "foreign-tool-call-ids")
    _, out, _ = _replay(quirk, tmp_path, output="stream-json")
    lines = [json.loads(line) for line in out.splitlines()]
    uses = [
        block["id"]
        for line in lines
        if line["type"] == "assistant"
        for block in line["message"]["content"]
        if block["type"] == "tool_use"
    ]
    results = [
        block["tool_use_id"]
        for line in lines
        if line["type"] == "user"
        for block in line["message"]["content"]
        if block["type"] == "tool_result"
    ]
    assert uses == results == [FOREIGN_TOOL_ID]
    assert lines[-1]["type"] == "result"
    assert lines[-1]["num_turns"] == 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_the_cli_replays_the_live_family(scenario: LiveScenario, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cassette = CASSETTES / "anthropic" / f"{scenario.name}.yaml"
    done = run_hexclaw([*scenario.args, "--replay", str(cassette)], offline_env(home), tmp_path)
    assert done.returncode == scenario.exit_code
    if scenario.exit_code == 0:
        assert done.stdout.strip().lower().startswith("hello")
        assert done.stderr == ""
    else:
        status = cassette.name.split("-")[-1].removesuffix(".yaml")
        assert done.stderr.startswith(f"hexclaw: API error {status} ")
        assert done.stderr.count("\n") == 1
