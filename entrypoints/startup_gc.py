"""The garbage collector while hexclaw starts: off until the run is built.

Loading hexclaw's modules allocates a few hundred thousand objects that all live as long as
the process; the collections they set off (about 75 in a ``-p`` run) free nothing and took
10-15 ms of it. So ``run`` turns collection off first, and whatever builds a session (print
mode, the stream-json session, the REPL) turns it back on once built, after moving what
exists then out of the collector's way for good (``gc.freeze``), so later collections do not
walk it either. A short command that builds no session (``mcp list``, ``login``...) ends
with it off.
"""

from __future__ import annotations

import gc


def pause_collection() -> None:
    gc.disable()


def resume_collection() -> None:
    gc.freeze()
    gc.enable()
