"""``make record``: re-record the live family, ``cassettes/anthropic/``, against Anthropic's API.

Needs ``ANTHROPIC_API_KEY``; without it, prints a SKIPPED line and exits 0, leaving the
committed cassettes as they are. Each scenario is ``hexclaw -p ... --record FILE`` with the
real key (redacted before anything is written) against https://api.anthropic.com, whatever
``ANTHROPIC_BASE_URL`` says, so the family is always the first-party API's own bytes.

``--stand-in`` records the same scenarios from the scripted local server instead, with the
first-party shapes of ../shared/reference/anthropic-streaming.md; the committed family was
made that way when no key was available, and each cassette's ``metadata.source`` says which.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import attrs

from adapters.cassettes.file import load_cassette, save_cassette
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    block_start,
    block_stop,
    message_delta,
    message_start,
    message_stop,
    ping,
    text_delta,
)
from tests.support import HEXCLAW, ROOT, hexclaw_env

FOLDER = ROOT / "cassettes" / "anthropic"
LIVE_URL = "https://api.anthropic.com"
MODEL = "claude-haiku-4-5"
LIVE_SOURCE = f"live: {LIVE_URL} (tests/fakes/record_live.py)"
STAND_IN_SOURCE = (
    "stand-in: the scripted local server with first-party shapes "
    "(tests/fakes/record_live.py --stand-in); `make record` with a key replaces it"
)


@attrs.frozen
class LiveScenario:
    name: str
    proves: str
    args: tuple[str, ...]
    exit_code: int
    stand_in: Callable[[], list[Reply]]
    key: str | None = None
    """A key of the scenario's own (an invalid one, for the 401); None: the user's key."""


def _hello_stream() -> list[Reply]:
    usage = {
        "input_tokens": 18,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 1,
        "service_tier": "standard",
    }
    events = [
        message_start("msg_01StandInHello", MODEL, usage),
        block_start(0, {"type": "text", "text": ""}),
        ping(),
        text_delta(0, "hello"),
        block_stop(0),
        message_delta("end_turn", {"output_tokens": 4}),
        message_stop(),
    ]
    return [Reply.sse(events, headers={"request-id": "req_011StandInHello"})]


def _error(status: int, error_type: str, message: str) -> Callable[[], list[Reply]]:
    return lambda: [Reply.error(status, error_type, message, request_id="req_011StandInError")]


SCENARIOS = (
    LiveScenario(
        "text-answer",
        "a plain streamed answer from the first-party API: ping events, usage with cache "
        "fields and service_tier, message_stop",
        ("-p", "Reply with exactly one word: hello", "--model", MODEL, "--max-tokens", "64"),
        0,
        _hello_stream,
    ),
    LiveScenario(
        "unknown-model-404",
        "an unknown model is a 404 not_found_error: one line on stderr, exit 1, no retry",
        ("-p", "hi", "--model", "claude-no-such-model", "--max-tokens", "16"),
        1,
        _error(404, "not_found_error", "model: claude-no-such-model"),
    ),
    LiveScenario(
        "invalid-key-401",
        "an invalid API key is a 401 authentication_error: one line, exit 1",
        ("-p", "hi", "--model", MODEL, "--max-tokens", "16"),
        1,
        _error(401, "authentication_error", "invalid x-api-key"),
        key="not-a-valid-key",
    ),
)


def record(scenario: LiveScenario, server_url: str, key: str, source: str) -> Path:
    target = FOLDER / f"{scenario.name}.yaml"
    with tempfile.TemporaryDirectory() as scratch:
        workspace, home = Path(scratch) / "workspace", Path(scratch) / "claude-home"
        workspace.mkdir()
        home.mkdir()
        env = hexclaw_env(server_url, home, ANTHROPIC_API_KEY=scenario.key or key)
        done = subprocess.run(
            [*HEXCLAW, *scenario.args, "--record", str(target)],
            env=env,
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    if done.returncode != scenario.exit_code:
        raise SystemExit(
            f"{scenario.name}: exit {done.returncode}, expected {scenario.exit_code}: "
            f"{done.stderr.strip()}"
        )
    cassette = load_cassette(target)
    save_cassette(target, attrs.evolve(cassette, metadata={**cassette.metadata, "source": source}))
    return target


def main(argv: list[str]) -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    if argv == ["--stand-in"]:
        for scenario in SCENARIOS:
            with ScriptedAnthropicServer(scenario.stand_in(), idle_timeout=60) as server:
                path = record(scenario, server.url, "sk-ant-stand-in-key", STAND_IN_SOURCE)
            print(f"recorded {path.relative_to(ROOT)} (stand-in)")
        return 0
    key = os.environ.get("ANTHROPIC_API_KEY", "")
    if not key:
        print(
            "SKIPPED make record: ANTHROPIC_API_KEY is not set, so the live cassettes in "
            "cassettes/anthropic/ were left as they are"
        )
        return 0
    for scenario in SCENARIOS:
        path = record(scenario, LIVE_URL, key, LIVE_SOURCE)
        print(f"recorded {path.relative_to(ROOT)} (live)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
