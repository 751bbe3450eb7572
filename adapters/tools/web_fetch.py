"""WebFetch: GET a URL and return its content as Markdown, with timeouts, a size cap and only
same-host redirects followed (a redirect elsewhere is reported, so its domain gets its own
permission check). Plain http is upgraded to https, except for loopback hosts.

hexclaw does not summarize the page with a second model call: the Markdown (cut at a limit)
is returned with the prompt, for the model to answer from.

The permission check is made on the host httpx will connect to, not on how the URL spells it:
httpx maps IDNA full stops (``127。0。0。1``) and case, and the resolver reads ``2130706433``
or ``0x7f.1`` as 127.0.0.1, so ``host_of`` parses with httpx, keeps the ASCII (IDNA) form and
writes any IPv4 spelling as its dotted quad. A URL it cannot parse names no host, and the
fetch is refused.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urljoin, urlsplit, urlunsplit

import attrs

from adapters.http import httpx
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.repr_base import Record
from domain.tools.calls import ToolAccess, ToolOutcome
from domain.version import VERSION

_IPV4_SPELLING = re.compile(r"[0-9a-fA-FxX.]+")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "url": {"type": "string", "format": "uri"},
        "prompt": {"type": "string"},
    },
    "required": ["url", "prompt"],
    "additionalProperties": False,
}


@attrs.frozen(repr=False)
class FetchLimits(Record):
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    max_chars: int = 100_000


def _description(limits: FetchLimits) -> str:
    return f"""Fetch a web page (GET) and return its content as Markdown, with your prompt.
- url: a full URL; http is upgraded to https (except for localhost).
- prompt: what you want to learn from the page; answer it from the returned content.
- Redirects to the same host are followed; a redirect to another host is reported, so fetch \
that URL in a new call.
- Pages over {limits.max_bytes:,} bytes are cut, and the Markdown over {limits.max_chars:,} \
characters. Binary content (images, archives) is refused.
- Read-only: it cannot post forms or log in."""


def normalize_url(raw: str) -> str:
    """The URL to fetch: absolute http(s), upgraded to https unless the host is loopback."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ToolError(f"{raw!r} is not an http or https URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        parts = parts._replace(scheme="https")
    return urlunsplit(parts)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_of(raw: object) -> str | None:
    """The host a fetch of ``raw`` connects to, as the rules judge it; None if there is none."""
    if not isinstance(raw, str):
        return None
    try:
        host = httpx.URL(raw.strip()).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
        return None
    if not host:
        return None
    return _dotted_quad(host.rstrip(".")) or host


def _dotted_quad(host: str) -> str | None:
    """An IPv4 address in any spelling the resolver accepts (``2130706433``, ``0x7f.1``,
    ``0177.0.0.1``) as a dotted quad; None for a name."""
    if not _IPV4_SPELLING.fullmatch(host):
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        return None


class WebFetchTool:
    name = "WebFetch"
    # Changes nothing and asks nothing while it runs: may run beside other such calls.
    concurrency_safe = True

    def __init__(self, limits: FetchLimits | None = None) -> None:
        self.limits = limits or FetchLimits()

    def definition(self) -> JSONObject:
        return {"name": self.name, "description": _description(self.limits), "input_schema": SCHEMA}

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return ToolAccess(tool=self.name, kind="network", domain=host_of(tool_input.get("url")))

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        raw = args.string("url")
        url = normalize_url(raw)
        if host_of(url) is None or host_of(url) != host_of(raw):
            # What was allowed is the host of the URL as given; fetch nothing else.
            raise ToolError(f"{raw!r} does not name a host hexclaw can check")
        prompt = args.string("prompt")
        timeout = httpx.Timeout(self.limits.read_timeout, connect=self.limits.connect_timeout)
        headers = {
            "user-agent": f"hexclaw/{VERSION}",
            "accept": "text/html, text/*;q=0.9, */*;q=0.5",
        }
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
            for _ in range(self.limits.max_redirects + 1):
                fetched = self._fetch_once(client, url, prompt)
                if isinstance(fetched, ToolOutcome):
                    return fetched
                url = fetched
        raise ToolError(f"more than {self.limits.max_redirects} redirects; stopped at {url}")

    def _fetch_once(self, client: httpx.Client, url: str, prompt: str) -> ToolOutcome | str:
        """The outcome, or the URL of a same-host redirect to follow."""
        try:
            with client.stream("GET", url) as response:
                if response.is_redirect:
                    target = normalize_url(urljoin(url, response.headers.get("location", "")))
                    if host_of(target) == host_of(url):
                        return target
                    note = (
                        f"{url} redirects to another host: {target}. Fetch that URL with "
                        "WebFetch if you want its content."
                    )
                    return ToolOutcome(content=note, summary=f"redirect to {host_of(target)}")
                body, cut = self._read_capped(response)
                status = response.status_code
                content_type = response.headers.get("content-type", "")
                encoding = response.encoding or "utf-8"
        except httpx.TimeoutException:
            raise ToolError(f"fetching {url} timed out") from None
        except httpx.HTTPError as exc:
            raise ToolError(f"fetching {url} failed: {exc}") from None
        text = _as_markdown(body, content_type, encoding, url)
        if len(text) > self.limits.max_chars:
            text = (
                text[: self.limits.max_chars]
                + f"\n\n[... {len(text) - self.limits.max_chars:,} characters cut ...]"
            )
        if cut:
            text += f"\n\n[The page was larger than {self.limits.max_bytes:,} bytes and was cut.]"
        failed = status >= 400
        head = f"URL: {url}\nStatus: {status}\nPrompt: {prompt}\n\n"
        return ToolOutcome(
            content=head + text,
            is_error=failed,
            summary=f"GET {url} ({status}, {len(body):,} bytes)",
            structured={"url": url, "code": status, "bytes": len(body)},
        )

    def _read_capped(self, response: httpx.Response) -> tuple[bytes, bool]:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.limits.max_bytes:
                del body[self.limits.max_bytes :]
                return bytes(body), True
        return bytes(body), False


def _as_markdown(body: bytes, content_type: str, encoding: str, url: str) -> str:
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    textual = kind.startswith("text/") or kind in (
        "",
        "application/json",
        "application/xml",
        "application/xhtml+xml",
        "application/javascript",
    )
    if not textual:
        raise ToolError(f"{url} returned {kind}, which is not text")
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    if kind in ("text/html", "application/xhtml+xml") or (
        not kind and "<html" in text[:1000].lower()
    ):
        # Imported here: markdownify (with BeautifulSoup) costs ~0.1 s at start-up otherwise.
        from markdownify import markdownify

        return str(markdownify(text, heading_style="ATX")).strip()
    return text
