"""Re-record the cassettes that come from local servers: ``python -m tests.fakes.record_cassettes``.

Everything is recorded over real HTTP from servers on 127.0.0.1. Families (all by default):

- ``proxy``: each quirk in ``tests/fakes/proxy_quirks.py``, recorded the way a user records
  a session (``hexclaw -p ... --record FILE`` as a subprocess) -> ``cassettes/proxy/NAME.yaml``;
- ``oauth``: hexclaw's token client against the npm OAuth server (needs node; see
  ``tests/fakes/oauth_cassettes.py``) -> ``cassettes/oauth/NAME.yaml``;
- ``mcp``: a session calling tools of a remote MCP server (``tests/fakes/mcp_cassettes.py``)
  -> ``cassettes/mcp/NAME.yaml``;
- ``demo``: the offline demo's session, with ``tests/fakes/demo_model.py`` playing the model
  and the tools running for real -> ``demo/session.yaml``.

Re-record after a change that alters what hexclaw sends (the replay tests then name the
request and field that differ). The live family is ``python -m tests.fakes.record_live``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.fakes.anthropic_server import ScriptedAnthropicServer
from tests.fakes.proxy_quirks import MODEL, QUIRKS, Quirk
from tests.support import HEXCLAW, hexclaw_env

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes"
FAMILIES = ("proxy", "oauth", "mcp", "demo")


class RecordingFailed(Exception):
    pass


def hexclaw_record(
    args: list[str], cassette: Path, server_url: str, workspace: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    home = workspace.parent / "claude-home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [*HEXCLAW, *args, "--record", str(cassette)],
        env=hexclaw_env(server_url, home, **env),
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def quirk_args(quirk: Quirk) -> list[str]:
    """The command line each proxy cassette is recorded (and replayed) with."""
    args = ["-p", quirk.prompt, "--model", MODEL, "--output-format", "json"]
    if quirk.name == "foreign-tool-call-ids":
        # One model call: the tool_result goes into the conversation but is never sent back.
        args += ["--max-turns", "1"]
    return args


def record_quirk(quirk: Quirk, target: Path) -> None:
    with (
        tempfile.TemporaryDirectory() as scratch,
        ScriptedAnthropicServer(quirk.replies(), idle_timeout=60) as server,
    ):
        workspace = Path(scratch) / "workspace"
        workspace.mkdir()
        done = hexclaw_record(quirk_args(quirk), target, server.url, workspace)
        expected = len(quirk.replies())
        if len(server.requests) != expected:
            raise RecordingFailed(
                f"{quirk.name}: hexclaw made {len(server.requests)} requests, expected {expected} "
                f"(exit {done.returncode}: {done.stderr.strip()})"
            )


def record_proxy_family() -> list[Path]:
    folder = CASSETTES / "proxy"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for quirk in QUIRKS:
        target = folder / f"{quirk.name}.yaml"
        record_quirk(quirk, target)
        written.append(target)
    return written


def record_oauth_family() -> list[Path]:
    if shutil.which("node") is None:
        print("SKIPPED the oauth family: node is not installed (the OAuth server needs it)")
        return []
    from tests.fakes.oauth_cassettes import record_oauth_family as record

    return record(CASSETTES / "oauth")


def record_mcp_family() -> list[Path]:
    from tests.fakes.mcp_cassettes import record_mcp_family as record

    return record(CASSETTES / "mcp")


def record_demo_family() -> list[Path]:
    from tests.fakes.demo_model import record_demo_session

    return [record_demo_session()]


def main(argv: list[str]) -> int:
    families = argv or list(FAMILIES)
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        print(f"unknown family {unknown[0]!r}; choose from {', '.join(FAMILIES)}")
        return 2
    for family in families:
        recorder = {
            "proxy": record_proxy_family,
            "oauth": record_oauth_family,
            "mcp": record_mcp_family,
            "demo": record_demo_family,
        }[family]
        for path in recorder():
            print(f"recorded {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
