"""OS locks beside the database: one app instance per database, one setup at a time.

`<database>.lock` is held for the app's whole session (non-blocking: a second window is
told the database is in use). `<database>.setup-lock` is held, blocking, while a database
is checked, created, backed up or upgraded, so that twenty terminal commands started at once
on a new file do not all create its tables. The operating system drops both when the process
ends, even by kill -9, so a crash never leaves a stale lock behind. Lock files are private
(0600) and never followed through a symbolic link (O_NOFOLLOW), so a planted link cannot make
Kviz truncate another file.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

PRIVATE_FILE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class InstanceLock:
    """An exclusive lock on a small file beside the database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, *, blocking: bool = False) -> bool:
        """Take the lock; False when another process (or Database) holds it and not blocking.

        Raises OSError when the lock file cannot be opened (read-only folder, a symlink).
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, PRIVATE_FILE)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            else:
                msvcrt.locking(fd, msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            if blocking:
                raise
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        if fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        else:
            os.lseek(self._fd, 0, os.SEEK_SET)
            msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        os.close(self._fd)
        self._fd = None
