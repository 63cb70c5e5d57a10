"""Where outreach files live: a small interface and a local-disk store.

Files are *content-addressed*: the key of a file is derived from its SHA-256,
so the same bytes are stored once, a key never changes meaning, and a reader
can cache by key for ever. Keys are POSIX paths relative to the data
directory (``outreach/ab/<sha256>.jpg``), which is what the store's rows keep.

Several app servers can share the files by pointing the data directory at a
shared volume, or by implementing :class:`FileStore` on an object store (put
by key, get by key, delete by key; nothing else is needed).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Protocol

from dashboard.core.files import FILE_MODE, private_dir

PREFIX = "outreach"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_for(data: bytes, suffix: str) -> str:
    """The content-addressed key of *data* (``outreach/ab/<sha256><suffix>``)."""
    digest = sha256(data)
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    return f"{PREFIX}/{digest[:2]}/{digest}{suffix.lower()}"


class FileStore(Protocol):
    """The storage the outreach library needs."""

    def put(self, data: bytes, suffix: str) -> tuple[str, bool]:
        """Store *data*; return its key and whether it was newly written."""
        ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class LocalFileStore:
    """Files under ``<data_dir>/outreach/``, written atomically, mode 0600 in
    folders of mode 0700.

    A write goes to a temporary file in the target folder, is flushed to disk,
    then renamed over the final name (atomic on POSIX), so a reader never sees
    half a file and a crash leaves at most a stray temporary file.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def path(self, key: str) -> Path:
        """The file of *key*; refuses keys that leave the outreach folder."""
        parts = PurePosixPath(key).parts
        if not parts or parts[0] != PREFIX or ".." in parts or key.startswith("/"):
            raise ValueError(f"not an outreach file key: {key!r}")
        return self.data_dir.joinpath(*parts)

    def put(self, data: bytes, suffix: str) -> tuple[str, bool]:
        key = key_for(data, suffix)
        target = self.path(key)
        if target.exists() and target.stat().st_size == len(data):
            return key, False
        private_dir(self.data_dir, *PurePosixPath(key).parent.parts)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key, True

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def files(self) -> list[str]:
        """Every stored key (for tests and clean-up)."""
        root = self.data_dir / PREFIX
        if not root.exists():
            return []
        return sorted(
            p.relative_to(self.data_dir).as_posix()
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )


def local_store(data_dir: Path) -> LocalFileStore:
    return LocalFileStore(data_dir)
