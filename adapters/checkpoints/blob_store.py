"""Content-addressed, compressed copies of file contents."""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        # The stored bytes, counted once and then kept up to date: bounding the store must not
        # stat every blob around every tool call.
        self._total: int | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = sum(self.sizes().values())
        return self._total

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self._path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        compressed = zlib.compress(data, 6)
        temporary.write_bytes(compressed)
        os.replace(temporary, target)
        if self._total is not None:
            self._total += len(compressed)
        return digest

    def get(self, digest: str) -> bytes:
        return zlib.decompress(self._path(digest).read_bytes())

    def sizes(self) -> dict[str, int]:
        """Every blob's stored (compressed) size."""
        found: dict[str, int] = {}
        if not self.root.is_dir():
            return found
        for folder in self.root.iterdir():
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                if not entry.name.startswith("."):
                    found[folder.name + entry.name] = entry.stat().st_size
        return found

    def remove(self, digests: set[str]) -> None:
        for digest in digests:
            self._path(digest).unlink(missing_ok=True)
        self._total = None
