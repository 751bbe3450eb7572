"""Bash in the real OS sandbox: what a command cannot write, read or reach, and what still
works (the persistent working directory, background jobs until the session ends)."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.permissions.rules import parse_rule
from tests.integration.sandbox_harness import SandboxKit, folder_outside_tmp, require_bwrap


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """Outside /tmp, which the sandbox replaces with its own."""
    yield from folder_outside_tmp("hexclaw-sandbox-test-")


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[SandboxKit]:
    require_bwrap()
    kit = SandboxKit(tmp_path)
    yield kit
    kit.close()


def test_writes_outside_the_workspace_fail_by_every_route(kit: SandboxKit) -> None:
    subprocess.run(["git", "init", "-q", str(kit.workspace)], check=True)
    (kit.workspace / "link").symlink_to(kit.outside)
    victim = kit.outside / "victim.txt"
    attempts = {
        "outside": f"echo pwned > {victim}",
        "delete": f"rm -f {victim}",
        "home": f"touch {kit.home}/.bashrc-planted",
        "hook": "printf '#!/bin/sh\\nid\\n' > .git/hooks/pre-commit",
        "git config": "git config core.hooksPath /tmp/hooks",
        "symlink": "echo pwned > link/victim.txt",
        "proc root": f"echo pwned > /proc/self/root{victim}",
        "remount": "mount -o remount,rw / && touch /pwned-by-remount",
        "rename git": "mv .git .git-away && mkdir -p .git/hooks && echo id > .git/hooks/pre-commit",
        "nested userns": f"unshare -rm sh -c 'mount -o remount,rw / && touch {victim}2'",
    }
    for name, command in attempts.items():
        outcome = kit.run(command)
        assert outcome.is_error, name
        if name in ("outside", "delete", "home", "hook", "symlink", "proc root"):
            # Refused for being read-only, not for being out of sight: the path is visible.
            assert "Read-only file system" in str(outcome.content), (name, outcome.content)
    assert kit.run(f"cat {victim}").content == "untouched"
    assert victim.read_text() == "untouched\n"
    assert sorted(p.name for p in kit.outside.iterdir()) == ["victim.txt"]
    assert not (kit.home / ".bashrc-planted").exists()
    assert not (kit.workspace / ".git" / "hooks" / "pre-commit").exists()
    assert "hooksPath" not in (kit.workspace / ".git" / "config").read_text()
    assert not Path("/pwned-by-remount").exists()
    # Inside the workspace, writing works.
    made = kit.run("echo fine > inside.txt && mkdir -p sub && cd sub && echo more > b")
    assert not made.is_error, made.content
    assert (kit.workspace / "sub" / "b").read_text() == "more\n"


def test_the_model_is_told_what_the_sandbox_refused(kit: SandboxKit) -> None:
    outcome = kit.run(f"touch {kit.home}/x")
    assert isinstance(outcome.content, str)
    assert "Read-only file system" in outcome.content
    assert "Sandbox: this command ran in hexclaw's OS sandbox" in outcome.content
    assert str(kit.workspace) in outcome.content
    assert outcome.summary == f"touch {kit.home}/x (exit 1; the sandbox refused something)"


def test_planting_a_git_dir_layout_at_the_root_is_flagged_for_review(kit: SandboxKit) -> None:
    planted = kit.run(
        "mkdir -p objects refs && echo 'ref: refs/heads/main' > HEAD && "
        "printf '[core]\\n\\tfsmonitor = id\\n' > config"
    )
    assert planted.summary.endswith("(exit 0; review HEAD)"), planted.summary
    assert f"Sandbox: {kit.workspace}/HEAD appeared" in str(planted.content)
    # From the next command on it is read-only.
    assert kit.run("echo 'ref: refs/heads/x' > HEAD").is_error


def test_denied_files_and_the_config_home_read_as_nothing(tmp_path: Path) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, deny=("Read(./.env)", "Read(*.pem)"))
    try:
        (kit.workspace / ".env").write_text("PASSWORD=hunter2\n")
        (kit.workspace / "keys").mkdir()
        (kit.workspace / "keys" / "id.pem").write_text("PRIVATE KEY\n")
        (kit.workspace / "ok.txt").write_text("visible\n")
        shown = kit.run(
            "cat .env keys/id.pem ok.txt; ls -A "
            f"{kit.config_home}; cat {kit.config_home}/credentials.json; true"
        )
        assert isinstance(shown.content, str)
        assert "hunter2" not in shown.content
        assert "PRIVATE KEY" not in shown.content
        assert "oauth-token" not in shown.content
        assert "visible" in shown.content
        # A hidden file cannot be replaced from inside either.
        kit.run("echo planted > .env")
        assert (kit.workspace / ".env").read_text() == "PASSWORD=hunter2\n"
    finally:
        kit.close()


def test_the_working_directory_persists_and_the_session_tmp_is_private(kit: SandboxKit) -> None:
    (kit.workspace / "pkg").mkdir()
    assert not kit.run("cd pkg && echo kept > /tmp/note").is_error
    assert kit.run("pwd; cat /tmp/note").content == f"{kit.workspace / 'pkg'}\nkept"
    # The host's /tmp is not what the sandbox calls /tmp.
    assert not Path("/tmp/note").exists() or Path("/tmp/note").read_text() != "kept\n"


def _alive_with(marker: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def _gone(marker: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while _alive_with(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_nothing_outlives_its_call_and_background_jobs_end_with_the_session(
    kit: SandboxKit,
) -> None:
    started = kit.run("sleep 311.5 & echo started")
    assert started.content == "started"
    assert _gone("311.5")
    job = kit.run("sleep 312.5", run_in_background=True)
    assert not job.is_error
    time.sleep(0.3)
    assert _alive_with("312.5")
    kit.close()
    assert _gone("312.5")


class _Listener:
    """A local HTTP server that records the paths it was asked for."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"listener says hi\n")

            def log_message(self, *args: object) -> None:
                pass

        self.seen = seen
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    server = _Listener()
    yield server
    server.stop()


def _fetch(port: int, path: str) -> str:
    code = (
        "import urllib.request,sys\n"
        "try:\n"
        f"    print(urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=5).read())\n"
        "except Exception as e:\n"
        "    print('failed', e); sys.exit(1)\n"
    )
    return f'python3 -c "{code}"'


def test_the_network_is_closed_without_allowed_domains(
    kit: SandboxKit, listener: _Listener
) -> None:
    direct = kit.run(f"curl -sS -m 5 http://127.0.0.1:{listener.port}/direct")
    assert direct.is_error
    proxied = kit.run(_fetch(listener.port, "/py"))
    assert proxied.is_error
    assert listener.seen == []


def test_allowed_traffic_goes_through_the_proxy_and_the_rest_gets_a_403(
    tmp_path: Path, listener: _Listener
) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, settings={"network": {"allowedDomains": ["127.0.0.1"]}})
    try:
        through = kit.run(_fetch(listener.port, "/through-proxy"))
        assert not through.is_error, through.content
        assert "listener says hi" in str(through.content)
        assert listener.seen == ["/through-proxy"]
        # Going around the proxy still fails: the sandbox has no route to the host.
        around = kit.run(f"curl -sS -m 5 --noproxy '*' http://127.0.0.1:{listener.port}/around")
        assert around.is_error
        refused = kit.run(f"curl -sS -m 5 http://localhost:{listener.port}/by-name")
        assert "localhost is not in the sandbox's allowed domains (allowed: 127.0.0.1)" in str(
            refused.content
        )
        assert "Sandbox: the network proxy refused localhost" in str(refused.content)
        assert listener.seen == ["/through-proxy"]
    finally:
        kit.close()


def test_socks5_on_the_same_port_obeys_the_same_allowlist(
    tmp_path: Path, listener: _Listener
) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, settings={"network": {"allowedDomains": ["127.0.0.1"]}})
    try:
        through = kit.run(f'curl -sS -m 5 -x "$ALL_PROXY" http://127.0.0.1:{listener.port}/socks')
        assert "listener says hi" in str(through.content), through.content
        refused = kit.run(f'curl -sS -m 5 -x "$ALL_PROXY" http://localhost:{listener.port}/no')
        assert refused.is_error
        assert "Sandbox: the network proxy refused localhost" in str(refused.content)
        assert listener.seen == ["/socks"]
    finally:
        kit.close()


def test_configured_proxy_ports_are_the_ones_inside(tmp_path: Path, listener: _Listener) -> None:
    require_bwrap()
    network = {"allowedDomains": ["127.0.0.1"], "httpProxyPort": 8118, "socksProxyPort": 1080}
    kit = SandboxKit(tmp_path, settings={"network": network})
    try:
        shown = kit.run("echo $HTTPS_PROXY $ALL_PROXY")
        assert shown.content == "http://127.0.0.1:8118 socks5h://127.0.0.1:1080"
        socks = kit.run(
            f"curl -sS -m 5 -x socks5h://127.0.0.1:1080 http://127.0.0.1:{listener.port}/s"
        )
        assert "listener says hi" in str(socks.content), socks.content
        assert not kit.run(_fetch(listener.port, "/h")).is_error
        assert listener.seen == ["/s", "/h"]
    finally:
        kit.close()


def test_webfetch_allow_rules_open_their_domain_too(tmp_path: Path, listener: _Listener) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, allow=("WebFetch(domain:127.0.0.1)",))
    try:
        assert not kit.run(_fetch(listener.port, "/rule")).is_error
        assert listener.seen == ["/rule"]
    finally:
        kit.close()


def test_without_bwrap_bash_is_refused_with_the_fix(tmp_path: Path) -> None:
    kit = SandboxKit(tmp_path, search_path=str(tmp_path / "empty-bin"))
    try:
        refused = kit.run(f"touch {kit.outside}/made")
        assert refused.is_error
        assert isinstance(refused.content, str)
        assert len(refused.content.splitlines()) == 1
        assert "bwrap (bubblewrap) is not on PATH" in refused.content
        assert "apt-get install bubblewrap" in refused.content
        assert not (kit.outside / "made").exists()
    finally:
        kit.close()


def test_with_fail_if_unavailable_off_it_runs_unsandboxed_and_says_so(tmp_path: Path) -> None:
    kit = SandboxKit(
        tmp_path, settings={"failIfUnavailable": False}, search_path=str(tmp_path / "no-bin")
    )
    try:
        ran = kit.run("echo hi")
        assert "Ran WITHOUT the sandbox" in str(ran.content)
        # Not confined, so not auto-allowed: the normal question applies.
        access = kit.bash.access_of({"command": "echo hi"})
        assert not access.sandbox_auto_allow
    finally:
        kit.close()


def test_excluded_commands_run_outside_and_the_next_one_is_confined(tmp_path: Path) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, settings={"excludedCommands": ["touch *"]})
    try:
        assert not kit.bash.access_of({"command": f"touch {kit.outside}/a"}).sandbox_auto_allow
        ran = kit.run(f"touch {kit.outside}/by-excluded")
        assert "Ran outside the sandbox" in str(ran.content)
        assert (kit.outside / "by-excluded").exists()
        assert kit.run(f"echo x > {kit.outside}/after").is_error
        assert not (kit.outside / "after").exists()
    finally:
        kit.close()


def _unix_listener(path: Path) -> tuple[socket.socket, threading.Thread, list[bytes]]:
    heard: list[bytes] = []
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    server.settimeout(10)

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            heard.append(conn.recv(100))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread, heard


UNIX_CLIENT = (
    'python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); '
    "s.connect(sys.argv[1]); s.sendall(b'escaped')\" {path}"
)


def test_unix_sockets_outside_cannot_be_reached(kit: SandboxKit) -> None:
    path = kit.outside / "agent.sock"
    server, thread, heard = _unix_listener(path)
    try:
        refused = kit.run(UNIX_CLIENT.format(path=path))
        assert refused.is_error
        assert "Operation not permitted" in str(refused.content)
        # socketpair, which connects a process only to itself, still works.
        pair = kit.run("python3 -c 'import socket; socket.socketpair(); print(\"pair\")'")
        assert pair.content == "pair"
    finally:
        server.close()
        thread.join(5)
    assert heard == []


def test_allow_all_unix_sockets_lifts_the_filter(tmp_path: Path) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, settings={"network": {"allowAllUnixSockets": True}})
    path = kit.outside / "agent.sock"
    server, thread, heard = _unix_listener(path)
    try:
        assert not kit.run(UNIX_CLIENT.format(path=path)).is_error
        thread.join(5)
    finally:
        server.close()
        kit.close()
    assert heard == [b"escaped"]


def test_a_background_job_reaches_allowed_hosts_through_the_proxy(
    tmp_path: Path, listener: _Listener
) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path, settings={"network": {"allowedDomains": ["127.0.0.1"]}})
    try:
        job = kit.run(f"sleep 0.2; {_fetch(listener.port, '/from-job')}", run_in_background=True)
        assert not job.is_error
        deadline = time.monotonic() + 10
        while not listener.seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.seen == ["/from-job"]
    finally:
        kit.close()


def test_git_works_inside_the_workspace(kit: SandboxKit) -> None:
    done = kit.run(
        "git init -q . && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m one "
        "&& git log --oneline | wc -l"
    )
    assert isinstance(done.content, str)
    count, note = done.content.splitlines()
    assert count == "1"
    # They did not exist, so no mount kept them read-only: the model and the user are told.
    assert note.startswith(f"Sandbox: {kit.workspace}/.git/hooks, ")
    # The next command finds them protected.
    assert kit.run("echo id > .git/hooks/post-checkout").is_error


def test_rules_added_during_the_session_count_from_the_next_command(
    tmp_path: Path, listener: _Listener
) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path)
    try:
        (kit.workspace / ".env").write_text("PASSWORD=hunter2\n")
        assert "hunter2" in str(kit.run("cat .env").content)
        kit.rules.deny.append(parse_rule("Read(./.env)", "session"))
        assert "hunter2" not in str(kit.run("cat .env; true").content)
        assert kit.run(_fetch(listener.port, "/before")).is_error
        kit.rules.allow.append(parse_rule("WebFetch(domain:127.0.0.1)", "session"))
        assert not kit.run(_fetch(listener.port, "/after")).is_error
        assert listener.seen == ["/after"]
    finally:
        kit.close()


def test_in_the_repl_a_refused_host_is_asked_about_once_and_then_reachable(
    tmp_path: Path, listener: _Listener
) -> None:
    require_bwrap()
    kit = SandboxKit(tmp_path)
    asked: list[str] = []

    def answer(host: str) -> bool:
        asked.append(host)
        if host == "127.0.0.1":
            kit.rules.allow.append(parse_rule(f"WebFetch(domain:{host})", "session"))
            return True
        return False

    kit.sandbox.ask_domain = answer
    try:
        first = kit.run(_fetch(listener.port, "/first"))
        assert first.is_error
        assert "the user has now allowed it for this session" in str(first.content)
        assert first.summary.endswith("127.0.0.1 allowed for the session)")
        assert not kit.run(_fetch(listener.port, "/again")).is_error
        assert listener.seen == ["/again"]
        for _ in range(2):
            named = kit.run(f"curl -sS -m 5 http://localhost:{listener.port}/no")
            assert "sandbox blocked localhost" in named.summary
        assert asked == ["127.0.0.1", "localhost"]
    finally:
        kit.close()


def test_the_working_directory_file_cannot_be_turned_against_hexclaw(kit: SandboxKit) -> None:
    # The command replaces every file hexclaw keeps in its /tmp with a symlink to a host file
    # and with a FIFO: hexclaw neither truncates the target nor hangs reading.
    bait = kit.outside / "victim.txt"
    swap = (
        f"for f in /tmp/.hexclaw-cwd-*; do rm -f $f; ln -s {bait} $f; done; "
        "for n in $(seq 1 50); do ln -sf " + str(bait) + " /tmp/.hexclaw-cwd-guess$n; done"
    )
    kit.run(swap)
    # Its own exit then blocks on the FIFO until the timeout stops it; hexclaw goes on.
    hung = kit.run("for f in /tmp/.hexclaw-cwd-*; do rm -f $f; mkfifo $f; done", timeout=1500)
    assert hung.structured is not None
    assert hung.structured["interrupted"] is True
    assert kit.run("echo still fine").content == "still fine"
    assert bait.read_text() == "untouched\n"


def test_the_model_is_told_about_the_sandbox_in_the_tool_description(kit: SandboxKit) -> None:
    description = str(kit.bash.definition()["description"])
    assert "Commands run in an OS sandbox" in description
    kit.sandbox.switch(False)
    assert "OS sandbox" not in str(kit.bash.definition()["description"])


def test_a_background_job_that_plants_a_protected_path_later_is_reported(kit: SandboxKit) -> None:
    job = kit.run(
        "sleep 0.5; mkdir -p .vscode && echo '{}' > .vscode/tasks.json", run_in_background=True
    )
    assert not job.is_error
    deadline = time.monotonic() + 10
    while not (kit.workspace / ".vscode" / "tasks.json").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    later = kit.run("true")
    assert later.summary == "true (exit 0; review .vscode)"
    assert kit.run("true").summary == "true (exit 0)"


def test_a_timeout_stops_everything_the_command_started(kit: SandboxKit) -> None:
    stopped = kit.run("sleep 313.5 & sleep 314.5", timeout=700)
    assert stopped.structured is not None
    assert stopped.structured["interrupted"] is True
    assert _gone("313.5")
    assert _gone("314.5")
