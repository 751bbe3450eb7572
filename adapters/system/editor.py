"""Opening a file in the user's editor ($VISUAL, then $EDITOR, then vi), waiting for it."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping

from domain.errors import HexclawError


class EditorFailed(HexclawError):
    """The editor could not be started."""


def open_in_editor(path: str, environ: Mapping[str, str]) -> None:
    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    try:
        subprocess.run([*shlex.split(editor), path], check=False)
    except OSError as exc:
        raise EditorFailed(f"cannot start the editor {editor!r}: {exc.strerror or exc}") from None
