"""The approvals file: ``hexclaw-trust.json`` in the user's config home.

Rules a change must keep:
- top-level keys other than ``approvals`` (and unknown keys inside an approval) are written back
  as they were read, so a newer hexclaw's additions survive an older one's save;
- writes are atomic (temporary file in the same folder, fsynced, renamed over the old one) and
  the file is 0600, a folder created for it 0700;
- a file that cannot be read or is not what we wrote (bad JSON, wrong shapes) is never
  overwritten: reading raises ``TrustFileError`` naming it, and a save refuses;
- read-modify-write cycles hold ``hexclaw-trust.json.lock``, so two processes approving at once
  both keep their approval.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from domain.trust.errors import TrustFileError
from domain.trust.items import TrustItem
from domain.trust.ledger import Approval, TrustLedger, approval_from_entry

TRUST_FILE = "hexclaw-trust.json"
LOCK_TIMEOUT = 30.0


class TrustStore:
    def __init__(self, path: Path) -> None:
        self._path = path

    @classmethod
    def in_home(cls, home: Path) -> TrustStore:
        return cls(home / TRUST_FILE)

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> TrustLedger:
        """The approvals; an empty ledger when there is no file yet."""
        document = self._read_document()
        return _ledger(document, str(self._path)) if document is not None else TrustLedger()

    def update(self, change: Callable[[TrustLedger], TrustLedger]) -> TrustLedger:
        """Re-reads under the lock, applies ``change`` and saves; returns the saved ledger."""
        self._ensure_directory()
        with self._locked():
            document = self._read_document() or {}
            ledger = change(_ledger(document, str(self._path)))
            document["version"] = document.get("version", 1)
            document["approvals"] = [approval.to_entry() for approval in ledger.approvals]
            self._write(document)
            return ledger

    def _read_document(self) -> dict[str, Any] | None:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TrustFileError(
                f"{self._path}: cannot read the approvals file ({exc.strerror})"
            ) from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._corrupt("it is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self._corrupt(f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
        if not isinstance(document, dict):
            raise self._corrupt("its root is not a JSON object")
        return document

    def _corrupt(self, problem: str) -> TrustFileError:
        return TrustFileError(
            f"{self._path}: cannot use the approvals file: {problem}; it was left unchanged "
            "and nothing from the project that needs approval runs (fix or move the file)"
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import filelock  # only approving or revoking locks; a -p run only reads

        lock = filelock.FileLock(
            self._path.with_name(self._path.name + ".lock"), timeout=LOCK_TIMEOUT, mode=0o600
        )
        try:
            lock.acquire()
        except filelock.Timeout:
            raise TrustFileError(
                f"{self._path}: another hexclaw process holds its lock; nothing was changed"
            ) from None
        except OSError as exc:
            raise TrustFileError(
                f"{self._path}: cannot lock the approvals file ({exc.strerror}); "
                "nothing was changed"
            ) from None
        try:
            yield
        finally:
            lock.release()

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
            raise TrustFileError(f"{directory}: cannot create ({exc.strerror})") from None

    def _write(self, document: dict[str, Any]) -> None:
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        directory = self._path.parent
        try:
            # mkstemp creates the file 0600 before any byte is written.
            fd, temp_name = tempfile.mkstemp(
                dir=directory, prefix=f".{self._path.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise TrustFileError(f"{directory}: cannot write ({exc.strerror})") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self._path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise TrustFileError(f"{self._path}: cannot write ({exc.strerror})") from None
        with contextlib.suppress(OSError):
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def _ledger(document: dict[str, Any], source: str) -> TrustLedger:
    entries = document.get("approvals", [])
    if not isinstance(entries, list):
        raise TrustFileError(
            f"{source}: cannot use the approvals file: 'approvals' is not a list; "
            "it was left unchanged"
        )
    approvals: list[Approval] = [approval_from_entry(entry, source) for entry in entries]
    return TrustLedger(tuple(approvals))


def workspace_key(workspace: Path | str) -> str:
    """The workspace as approvals name it: its real path, so a symlinked checkout and the
    folder itself share approvals and a relative path never names two folders."""
    return os.path.realpath(workspace)


def load_ledger(home: Path, warnings: list[str]) -> TrustLedger:
    """The approvals for deciding what runs; an unusable file approves nothing (and says so)."""
    try:
        return TrustStore.in_home(home).load()
    except TrustFileError as exc:
        warnings.append(str(exc))
        return TrustLedger()


def approve_now(home: Path, items: Sequence[TrustItem]) -> TrustLedger:
    """Pins ``items`` to their current content, stamped with the current UTC time."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return TrustStore.in_home(home).update(lambda ledger: ledger.approve(items, stamp))
