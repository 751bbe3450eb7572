"""Opening the login URL in the user's browser with Python's ``webbrowser`` (so ``BROWSER``
is honoured). It runs on a background thread: some browser commands wait until they exit,
and the login must keep listening for the callback meanwhile. The URL is printed as well
by the caller, so a machine without a browser loses nothing."""

from __future__ import annotations

import contextlib
import threading
import webbrowser


class SystemBrowser:
    def open(self, url: str) -> None:
        threading.Thread(target=_open, args=(url,), name="browser", daemon=True).start()


def _open(url: str) -> None:
    # No browser, or a broken BROWSER command: the printed URL is the fallback.
    with contextlib.suppress(Exception):
        webbrowser.open(url)
