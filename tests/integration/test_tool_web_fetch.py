"""WebFetch against a real HTTP server on 127.0.0.1, and TodoWrite."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

import pytest

from adapters.tools.support.tool_errors import ToolError
from adapters.tools.todo_write import Todo, TodoWriteTool
from adapters.tools.web_fetch import FetchLimits, WebFetchTool, is_loopback, normalize_url
from domain.tools.calls import ToolOutcome

PAGE = b"""<html><head><title>T</title><style>p {color: red}</style>
<script>var secret = 1;</script></head>
<body><h1>Hello</h1><p>Some <b>bold</b> text and <a href="/next">a link</a>.</p></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/page": (200, "text/html; charset=utf-8", PAGE),
            "/plain": (200, "text/plain", b"just text"),
            "/json": (200, "application/json", b'{"a": 1}'),
            "/image": (200, "image/png", b"\x89PNG\r\n"),
            "/missing": (404, "text/html", b"<p>Not here</p>"),
            "/big": (200, "text/plain", b"x" * 50_000),
        }
        port = cast(ThreadingHTTPServer, self.server).server_port
        redirects = {
            "/hop": "/page",
            "/loop": "/loop",
            "/away": f"http://localhost:{port}/page",
        }
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        status, kind, body = routes.get(self.path, (200, "text/plain", b"slow"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    # Stops by itself even if the test never gets to its teardown.
    watchdog = threading.Timer(60, httpd.shutdown)
    watchdog.daemon = True
    watchdog.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    watchdog.cancel()
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, limits: FetchLimits | None = None) -> ToolOutcome:
    tool = WebFetchTool(limits or FetchLimits(read_timeout=5))
    try:
        return tool.run({"url": url, "prompt": "What does it say?"})
    except ToolError as exc:
        return ToolOutcome(content=f"Error: {exc}", is_error=True)


def test_html_becomes_markdown_without_scripts_or_styles(server: str) -> None:
    outcome = fetch(f"{server}/page")
    assert not outcome.is_error
    text = str(outcome.content)
    assert "# Hello" in text
    assert "**bold**" in text
    assert "[a link](/next)" in text
    assert "secret" not in text
    assert "color" not in text
    assert "Prompt: What does it say?" in text
    assert outcome.structured == {"url": f"{server}/page", "code": 200, "bytes": len(PAGE)}


def test_text_and_json_pass_through_and_binary_is_refused(server: str) -> None:
    assert str(fetch(f"{server}/plain").content).endswith("just text")
    assert str(fetch(f"{server}/json").content).endswith('{"a": 1}')
    image = fetch(f"{server}/image")
    assert image.is_error
    assert "image/png" in str(image.content)


def test_an_error_status_is_an_error_result(server: str) -> None:
    outcome = fetch(f"{server}/missing")
    assert outcome.is_error
    assert "Status: 404" in str(outcome.content)
    assert "Not here" in str(outcome.content)


def test_same_host_redirects_are_followed_and_limited(server: str) -> None:
    assert "# Hello" in str(fetch(f"{server}/hop").content)
    looped = fetch(f"{server}/loop", FetchLimits(max_redirects=3))
    assert looped.is_error
    assert "more than 3 redirects" in str(looped.content)


def test_a_redirect_to_another_host_is_reported_not_followed(server: str) -> None:
    outcome = fetch(f"{server}/away")
    assert not outcome.is_error
    assert "redirects to another host" in str(outcome.content)
    assert "localhost" in str(outcome.content)
    assert "# Hello" not in str(outcome.content)


def test_the_size_cap_cuts_the_body(server: str) -> None:
    outcome = fetch(f"{server}/big", FetchLimits(max_bytes=1000, read_timeout=5))
    text = str(outcome.content)
    assert "x" * 1000 in text
    assert "x" * 1001 not in text
    assert "larger than 1,000 bytes" in text


def test_a_slow_server_times_out(server: str) -> None:
    started = time.monotonic()
    outcome = fetch(f"{server}/slow", FetchLimits(read_timeout=0.3))
    assert outcome.is_error
    assert "timed out" in str(outcome.content)
    assert time.monotonic() - started < 1.4


def test_http_is_upgraded_except_for_loopback() -> None:
    assert normalize_url("http://example.com/a?b=1") == "https://example.com/a?b=1"
    assert normalize_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert normalize_url("http://localhost/x") == "http://localhost/x"
    assert normalize_url("http://[::1]:9/x") == "http://[::1]:9/x"
    assert is_loopback("127.8.9.1")
    assert not is_loopback("10.0.0.1")
    for bad in ("ftp://example.com", "file:///etc/passwd", "example.com", "https://"):
        with pytest.raises(ToolError):
            normalize_url(bad)


def test_the_access_names_the_domain() -> None:
    tool = WebFetchTool()
    access = tool.access_of({"url": "https://Docs.Example.com/x", "prompt": "p"})
    assert (access.kind, access.domain) == ("network", "docs.example.com")
    assert tool.access_of({"url": 3, "prompt": "p"}).domain is None


def test_todo_write_replaces_the_list_and_tells_the_user_when_it_changes() -> None:
    seen: list[list[Todo]] = []
    tool = TodoWriteTool(on_change=seen.append)
    todos = [
        {"content": "Write tests", "status": "completed", "activeForm": "Writing tests"},
        {"content": "Fix bug", "status": "in_progress", "activeForm": "Fixing bug"},
        {"content": "Ship", "status": "pending", "activeForm": "Shipping"},
    ]
    outcome = tool.run({"todos": todos})
    assert outcome.content == "The task list is updated:\n[x] Write tests\n[~] Fix bug\n[ ] Ship"
    assert outcome.summary == "Tasks: 1/3 done"
    assert outcome.structured == {"oldTodos": [], "newTodos": todos}
    assert [t.content for t in tool.todos] == ["Write tests", "Fix bug", "Ship"]
    tool.run({"todos": todos})
    assert len(seen) == 1  # unchanged: not shown again
    with pytest.raises(ToolError, match="status"):
        tool.run({"todos": [{"content": "x", "status": "done", "activeForm": "x"}]})
    assert len(tool.todos) == 3
