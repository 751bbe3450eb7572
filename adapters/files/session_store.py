"""Saved sessions on disk: ``<home>/projects/<project-path-slug>/<session-id>.jsonl``.

Rules a reader must not break:
- a log is only ever appended to, one whole line per ``os.write``, flushed to disk with
  ``fsync`` before ``append`` returns, so a kill -9 loses at most the line being written;
- a log hexclaw cannot read (another program's, or a newer format) is never written to, and
  cleanup deletes only hexclaw's own logs of a format this version knows.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import attrs

from domain.conversation.transcript import Conversation
from domain.messages.content import JSONObject
from domain.ports import Clock
from domain.repr_base import Record
from domain.sessions.errors import (
    AmbiguousSessionId,
    NoSessionToContinue,
    NotASessionLog,
    SessionError,
    SessionFormatTooNew,
    SessionIdInUse,
    SessionNotFound,
)
from domain.sessions.log import (
    FORMAT_VERSION,
    SessionHeader,
    SessionLog,
    SessionSummary,
    check_session_id,
    conversation_from_log,
    decode_log,
    encode_entry,
    format_version_of,
    header_entry,
    message_entry,
    project_slug,
    summarize,
)
from domain.sessions.retention import is_expired
from domain.version import VERSION

SUFFIX = ".jsonl"


class ConflictingSessionFlags(SessionError):
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("use either --continue or --resume ID, not both")


def iso_time(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class SessionFile:
    """The ``SessionRecorder`` for one log; the file is created by the first append."""

    def __init__(self, path: Path, clock: Clock, header: SessionHeader | None = None) -> None:
        self.path = path
        self._clock = clock
        self._header = header
        self._fd: int | None = None

    def append(self, entry: JSONObject) -> None:
        stamped = dict(entry)
        stamped.setdefault("timestamp", iso_time(self._clock.now()))
        try:
            if self._fd is None:
                self._open()
            self._write(encode_entry(stamped))
        except OSError as exc:
            # A read-only or full disk: say so in one line instead of crashing mid-turn.
            raise SessionError(
                f"cannot save the session to {self.path}: {exc.strerror or exc} "
                "(--no-session-persistence runs without saving)"
            ) from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> None:
        creating = self._header is not None
        if creating:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if creating else 0)
        self._fd = os.open(self.path, flags, 0o600)
        if self._header is not None:
            self._write(encode_entry(header_entry(self._header)))
            _fsync_dir(self.path.parent)
            self._header = None
        elif _ends_torn(self.path):
            # A crash tore the last line: end it, so it stays one damaged line of its own.
            self._write(b"\n")

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)


@attrs.frozen(repr=False)
class LoadedSession(Record):
    session_id: str
    path: Path
    log: SessionLog

    @property
    def warnings(self) -> list[str]:
        return self.log.warnings

    def conversation(self) -> Conversation:
        return conversation_from_log(self.log)


@attrs.frozen(repr=False)
class ListedSession(Record):
    session_id: str
    modified: float
    summary: SessionSummary | None
    problem: str | None = None


@attrs.frozen(repr=False)
class StartedSession(Record):
    """The session a run talks in: new, or resumed with its conversation."""

    session_id: str
    conversation: Conversation | None
    recorder: SessionFile | None
    warnings: list[str]
    path: Path


class SessionStore:
    def __init__(self, home: Path, clock: Clock) -> None:
        self.root = home / "projects"
        self._clock = clock

    def folder(self, workspace: Path) -> Path:
        return self.root / project_slug(str(workspace))

    def start(
        self,
        workspace: Path,
        *,
        resume: str | None = None,
        continue_latest: bool = False,
        persist: bool = True,
        new_id: str | None = None,
        fork: bool = False,
    ) -> StartedSession:
        """A new session, or the one ``--resume``/``--continue`` names, ready to append to.

        ``new_id`` (``--session-id``) names the new session; ``fork`` (``--fork-session``)
        continues a resumed conversation in a new session, leaving the old log untouched.
        """
        if resume is not None and continue_latest:
            raise ConflictingSessionFlags
        if resume is None and not continue_latest:
            return self._new(workspace, new_id, persist)
        if resume is not None:
            session_id = self.resolve(workspace, resume)
        else:
            newest = self.newest(workspace)
            if newest is None:
                raise NoSessionToContinue(str(workspace))
            session_id = newest
        with _collector_paused():
            loaded = self.load(workspace, session_id)
            conversation = loaded.conversation()
        if fork:
            forked = self._new(workspace, new_id, persist)
            if forked.recorder is not None:
                # The fork's log holds the history it starts from, so it resumes on its own.
                for message in conversation.messages:
                    forked.recorder.append(message_entry(message))
            return StartedSession(
                forked.session_id, conversation, forked.recorder, list(loaded.warnings), forked.path
            )
        recorder = SessionFile(loaded.path, self._clock) if persist else None
        return StartedSession(
            session_id, conversation, recorder, list(loaded.warnings), loaded.path
        )

    def _new(self, workspace: Path, new_id: str | None, persist: bool) -> StartedSession:
        session_id = new_id or str(uuid.uuid4())
        path = self.folder(workspace) / f"{session_id}{SUFFIX}"
        if new_id is not None:
            check_session_id(new_id)
            if path.exists():
                raise SessionIdInUse(new_id)
        header = SessionHeader(
            session_id=session_id,
            cwd=str(workspace),
            started_at=iso_time(self._clock.now()),
            version=VERSION,
        )
        recorder = SessionFile(path, self._clock, header) if persist else None
        return StartedSession(session_id, None, recorder, [], path)

    def resolve(self, workspace: Path, wanted: str) -> str:
        """The full id for ``wanted``: an exact id, or the start of exactly one."""
        check_session_id(wanted)
        folder = self.folder(workspace)
        if (folder / f"{wanted}{SUFFIX}").is_file():
            return wanted
        matches = sorted(p.stem for p in _logs_in(folder) if p.stem.startswith(wanted))
        if not matches:
            raise SessionNotFound(wanted, str(workspace))
        if len(matches) > 1:
            raise AmbiguousSessionId(wanted, matches)
        return matches[0]

    def load(self, workspace: Path, session_id: str) -> LoadedSession:
        check_session_id(session_id)
        path = self.folder(workspace) / f"{session_id}{SUFFIX}"
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise SessionNotFound(session_id, str(workspace)) from None
        except OSError as exc:
            raise SessionError(f"cannot read session {path}: {exc.strerror or exc}") from None
        return LoadedSession(session_id, path, decode_log(data, str(path)))

    def list_sessions(self, workspace: Path) -> list[ListedSession]:
        """This folder's sessions, most recently written first."""
        listed: list[ListedSession] = []
        for path in _logs_in(self.folder(workspace)):
            try:
                modified = path.stat().st_mtime
                log = decode_log(path.read_bytes(), str(path))
            except SessionFormatTooNew as exc:
                listed.append(ListedSession(path.stem, modified, None, f"newer format {exc.found}"))
                continue
            except (NotASessionLog, OSError):
                continue
            if log.header.cwd and log.header.cwd != str(workspace):
                continue  # another folder whose path happens to map to the same name
            listed.append(ListedSession(path.stem, modified, summarize(log)))
        listed.sort(key=lambda s: (s.modified, s.session_id), reverse=True)
        return listed

    def newest(self, workspace: Path) -> str | None:
        listed = self.list_sessions(workspace)
        return listed[0].session_id if listed else None

    def cleanup(self, days: float, keep: Collection[Path] = ()) -> list[Path]:
        """Delete hexclaw's logs (all projects) not written for more than ``days`` days."""
        now = self._clock.now()
        kept = {p.resolve() for p in keep}
        deleted: list[Path] = []
        if not self.root.is_dir():
            return deleted
        for folder in self.root.iterdir():
            for path in _logs_in(folder):
                try:
                    if not is_expired(path.stat().st_mtime, now, days):
                        continue
                    if path.resolve() in kept or not _is_known_log(path):
                        continue
                    path.unlink()
                except OSError:
                    continue
                deleted.append(path)
                # The session's checkpoints and its subagents' transcripts go with it.
                shutil.rmtree(self.root.parent / "file-history" / path.stem, ignore_errors=True)
                shutil.rmtree(path.with_suffix(""), ignore_errors=True)
        return deleted


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading a long session makes millions of objects that all stay alive; the cyclic
    collector would rescan them again and again (resume time grew faster than the log)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _logs_in(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.suffix == SUFFIX and p.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _is_known_log(path: Path) -> bool:
    with path.open("rb") as handle:
        first = handle.readline()
    version = format_version_of(first)
    return version is not None and version <= FORMAT_VERSION


def _ends_torn(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def _fsync_dir(folder: Path) -> None:
    """Make the new file's name durable too, not just its bytes."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
