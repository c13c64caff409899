"""Rolling copies of an SQLite learner database, in a `backups` folder beside it.

As Anki does: at most one copy a day (made on the first open of the day) plus one before every
schema upgrade, and only the newest `KEEP` are kept. A copy has the database's own file mode
(0600 for the files Kviz creates), and a copy that could not be finished (a full disk) is
removed rather than left as a file that looks like a backup.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

KEEP = 7
EVERY = timedelta(days=1)
FOLDER = "backups"


class BackupError(OSError):
    """The copy could not be made; the message says why (no room, no write permission)."""


def backups_folder(path: Path) -> Path:
    return path.parent / FOLDER


def existing(path: Path) -> list[Path]:
    """This database's backups, oldest first (the names sort by time)."""
    folder = backups_folder(path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*{path.suffix}"))


def due(path: Path, now: datetime | None = None) -> bool:
    """True when the database has no backup from the last day."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    found = existing(path)
    if not found:
        return True
    newest = datetime.fromtimestamp(found[-1].stat().st_mtime)
    return (now or datetime.now()) - newest >= EVERY


def _reason(e: BaseException) -> str:
    text = str(e).lower()
    if "full" in text or getattr(e, "errno", None) == 28:
        return "no room on the disk for the backup; free some space and try again"
    if isinstance(e, PermissionError) or "readonly" in text or "unable to open" in text:
        return "cannot write the backup there; check the folder's permissions"
    return f"could not make the backup ({e}); is the disk full?"


def make_backup(path: Path, revision: str, keep: int = KEEP) -> Path:
    """Copy the database (its WAL included) into the backups folder and prune old copies."""
    folder = backups_folder(path)
    mode = path.stat().st_mode & 0o777
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # sorts by time
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        dest = folder / f"{path.stem}-{stamp}-rev{revision}{path.suffix}"
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    except OSError as e:
        raise BackupError(f"{folder}: {_reason(e)}") from None
    try:
        os.chmod(dest, mode)  # the umask may have narrowed it; never wider than the database
        src = sqlite3.connect(path)
        try:
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as e:
        dest.unlink(missing_ok=True)
        for leftover in (dest.with_name(dest.name + s) for s in ("-journal", "-wal", "-shm")):
            leftover.unlink(missing_ok=True)
        raise BackupError(f"{dest}: {_reason(e)}") from None
    for old in existing(path)[:-keep]:
        old.unlink(missing_ok=True)
    return dest
