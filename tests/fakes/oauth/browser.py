#!/usr/bin/env python3
"""A scripted browser for login tests, given to hexclaw through ``BROWSER``.

It follows the authorize URL to the authorization server, takes the redirect it answers with,
and delivers that redirect to hexclaw's loopback listener, as a real browser would. Standard
library only: ``webbrowser`` runs it as a plain program. Behaviour comes from the environment:
  FAKE_BROWSER_MODE  follow (default) | favicon-first | tamper-state | ignore
  FAKE_BROWSER_LOG   a file that gets one JSON line per request made (status and page text)
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with _OPENER.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _log(entry: dict[str, object]) -> None:
    path = os.environ.get("FAKE_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


def main(url: str) -> int:
    mode = os.environ.get("FAKE_BROWSER_MODE", "follow")
    _log({"step": "opened", "mode": mode})
    if mode == "ignore":
        return 0
    status, headers, _ = _get(url)
    location = headers.get("Location") or headers.get("location")
    _log({"step": "authorize", "status": status})
    if location is None:
        return 1
    parts = urllib.parse.urlsplit(location)
    if mode == "favicon-first":
        favicon = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/favicon.ico", "", ""))
        fav_status, _, _ = _get(favicon)
        _log({"step": "favicon", "status": fav_status})
    if mode == "tamper-state":
        query = [
            (k, "forged-state" if k == "state" else v)
            for k, v in urllib.parse.parse_qsl(parts.query)
        ]
        location = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    status, _, page = _get(location)
    _log({"step": "callback", "status": status, "page": page})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
