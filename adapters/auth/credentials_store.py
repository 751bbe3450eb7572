"""credentials.json in the Claude config home: the OAuth entry next to keys other tools own.

Rules a change must keep:
- every key but ``oauth`` is written back as it was read;
- writes are atomic: a temporary file in the same directory, flushed and fsynced, then renamed
  over the old one, so a crash leaves either the old file or the new one, never half of one
  (except for a file that is itself a mount point, which can only be rewritten in place);
- the file is 0600 and a directory created for it 0700;
- a file that is not a JSON object is an error naming its path, and is never overwritten;
- read-modify-write cycles hold a cross-process lock (``credentials.json.lock``), which is
  reentrant, so a refresh can hold it across re-read, HTTP call and save.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domain.auth.errors import CredentialsFileError, CredentialsLocked
from domain.auth.oauth_credentials import OAUTH_KEY, OAuthCredentials, credentials_from_entry

if TYPE_CHECKING:
    import filelock

CREDENTIALS_FILE = "credentials.json"
DEFAULT_LOCK_TIMEOUT = 60.0
LOCK_POLL_SECONDS = 0.05


class CredentialsFile:
    def __init__(self, path: Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self._path = path
        self._lock_timeout = lock_timeout
        self._lock: filelock.BaseFileLock | None = None

    @classmethod
    def in_home(cls, home: Path) -> CredentialsFile:
        return cls(home / CREDENTIALS_FILE)

    @property
    def path(self) -> Path:
        return self._path

    def read_document(self) -> dict[str, Any] | None:
        """The whole file as an object; None when there is no file."""
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialsFileError(f"{self._path}: cannot read ({exc.strerror})") from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._corrupt("it is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self._corrupt(f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
        if not isinstance(document, dict):
            raise self._corrupt("its root is not a JSON object")
        return document

    def load_oauth(self) -> OAuthCredentials | None:
        document = self.read_document()
        if document is None or document.get(OAUTH_KEY) is None:
            return None
        return credentials_from_entry(document[OAUTH_KEY], str(self._path))

    def check_can_save(self) -> None:
        """Raises now the error ``save_oauth`` would raise later, so that a login learns before
        it spends an authorization code that it could not keep the tokens it gets.

        On failure nothing is created or changed; on success, at most the directory (0700) and
        the lock file exist that a save would create anyway.
        """
        # Read first and without the lock: a directory, an unreadable or a corrupt file fails
        # here without even a lock file created beside it.
        self.read_document()
        self._ensure_directory()
        with self.locked():
            self._probe_write()

    def save_oauth(self, credentials: OAuthCredentials) -> None:
        self._ensure_directory()
        with self.locked():
            document = self.read_document() or {}
            document[OAUTH_KEY] = credentials.to_entry()
            self._write(document)

    def remove_oauth(self) -> bool:
        if not self._path.exists():
            return False  # logging out of nothing creates nothing, not even the lock file
        with self.locked():
            document = self.read_document()
            if document is None or OAUTH_KEY not in document:
                return False
            del document[OAUTH_KEY]
            self._write(document)
            return True

    def update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Read, change and write the whole document under the lock, other keys kept (the
        MCP servers' logins live beside hexclaw's own, under ``mcpOAuth``)."""
        self._ensure_directory()
        with self.locked():
            document = self.read_document() or {}
            change(document)
            self._write(document)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        if not self._acquire(self._lock_timeout):
            raise self._held_too_long()
        try:
            yield
        finally:
            self._file_lock().release()

    @contextlib.asynccontextmanager
    async def locked_awaiting(
        self, pause: Callable[[float], Awaitable[None]]
    ) -> AsyncIterator[None]:
        """``locked`` for an event loop: the lock is tried, and ``pause`` awaited between
        tries, so while another process holds it only the task that waits is held up, not the
        other work on the loop's thread (an MCP server's refresh, beside the other servers)."""
        deadline = time.monotonic() + self._lock_timeout
        while not self._acquire(0):
            if time.monotonic() >= deadline:
                raise self._held_too_long()
            await pause(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            self._file_lock().release()

    def _file_lock(self) -> filelock.BaseFileLock:
        import filelock  # only a refresh or a login locks; most runs never load it

        if self._lock is None:
            self._ensure_directory()
            lock_path = self._path.with_name(self._path.name + ".lock")
            self._lock = filelock.FileLock(lock_path, timeout=self._lock_timeout, mode=0o600)
        return self._lock

    def _acquire(self, timeout: float) -> bool:
        """Whether the lock was taken within ``timeout`` seconds (0: one try)."""
        import filelock

        lock = self._file_lock()
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout:
            return False
        except OSError as exc:
            # A read-only or unwritable folder: the file cannot be changed safely, so it is not.
            raise CredentialsFileError(
                f"{lock.lock_file}: cannot lock the credentials file ({exc.strerror}); "
                "it was left unchanged"
            ) from None
        return True

    def _held_too_long(self) -> CredentialsLocked:
        return CredentialsLocked(
            f"{self._path}: another hexclaw process has held its lock for more than "
            f"{self._lock_timeout:g} s"
        )

    def _corrupt(self, problem: str) -> CredentialsFileError:
        return CredentialsFileError(
            f"{self._path}: cannot use the credentials file: {problem}; it was left unchanged "
            "(fix it, or move it away and run `hexclaw login`)"
        )

    def _ensure_directory(self) -> None:
        directory = self._path.parent
        if directory.is_dir():
            return
        try:
            directory.mkdir(parents=True, mode=0o700)
            directory.chmod(0o700)  # mkdir's mode is filtered by the umask
        except FileExistsError:
            return
        except OSError as exc:
            raise CredentialsFileError(f"{directory}: cannot create ({exc.strerror})") from None

    def _probe_write(self) -> None:
        """Creates and removes the temporary file a save would write, under the lock, and
        opens an existing file for writing without changing it: an immutable file, or one
        mounted read-only on its own, refuses that."""
        fd, temp_name = self._temporary_file()
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        try:
            os.close(os.open(self._path, os.O_WRONLY))
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.EACCES):
                return  # no file yet, or only its mode forbids writing: a save replaces it
            raise CredentialsFileError(f"{self._path}: cannot write ({exc.strerror})") from None

    def _temporary_file(self) -> tuple[int, str]:
        directory = self._path.parent
        try:
            # mkstemp creates the file 0600 and only we can open it, before any byte is written.
            return tempfile.mkstemp(dir=directory, prefix=f".{self._path.name}.", suffix=".tmp")
        except OSError as exc:
            raise CredentialsFileError(f"{directory}: cannot write ({exc.strerror})") from None

    def _write(self, document: dict[str, Any]) -> None:
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        directory = self._path.parent
        fd, temp_name = self._temporary_file()
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.replace(temp_name, self._path)
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    raise
                # The file is a mount point (a container's bind-mounted credentials.json):
                # nothing can be renamed over it, so it is rewritten where it is, which is not
                # atomic but is the only write that reaches the mounted file.
                os.unlink(temp_name)
                self._write_in_place(data)
                return
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise CredentialsFileError(f"{self._path}: cannot write ({exc.strerror})") from None
        _fsync_directory(directory)

    def _write_in_place(self, data: bytes) -> None:
        fd = os.open(self._path, os.O_WRONLY)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    """Makes the rename itself durable; some filesystems cannot, which is not worth failing."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
