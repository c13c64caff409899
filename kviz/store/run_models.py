"""The trained Keras model of each saved lab run: one `<run uid>.keras` file per run.

A run's record keeps its curves and scores; Predict and Draw also need its weights, so the
worker that trained a run writes the model here (before a sweep drops it) and the record
carries the same uid (`trainer.training.RunResult.uid`). The files sit in the data folder
beside the database, `models/<database name>/`, one folder per database so that two
databases never prune each other's models. Files are read with Keras' safe mode: a file
can hold weights and layer settings, never code that would run or a pickle.

Runs are never deleted, so `prune` keeps the folder bounded: a file whose run is not in the
database (the app stopped between saving the model and the record) goes after a day, and
beyond `MAX_BYTES` the oldest runs lose their models first (their records stay).
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kviz.paths import data_dir

if TYPE_CHECKING:
    from kviz.store.database import Database

MODELS = "models"
SUFFIX = ".keras"
MAX_BYTES = 512 * 1024 * 1024  # all the models of one database together
# A model saved this recently may still be waiting for its record: a quest rung saves its
# runs only once every seed has trained, which on a slow machine can take hours.
ORPHAN_AGE_S = 24 * 3600.0


class ModelFileError(Exception):
    """A run's model file is missing, unreadable or not a Keras model; names the file."""


def folder_for(db: Database) -> Path:
    """Where the models of `db`'s runs live: beside its file, or in the data folder for a
    server database (one folder per server and database, named by a hash of its address)."""
    if db.path is not None:
        return db.path.parent / MODELS / db.path.stem
    address = db.engine.url.render_as_string(hide_password=True)
    digest = hashlib.sha256(address.encode()).hexdigest()[:16]
    return data_dir() / MODELS / f"server-{digest}"


def model_path(folder: Path, uid: str) -> Path:
    """The file of run `uid`; a uid that is not a UUID is refused (it names a file)."""
    try:
        name = str(uuid.UUID(uid))
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"not a run uid: {uid!r}") from None
    return folder / f"{name}{SUFFIX}"


def has_model(folder: Path, uid: str) -> bool:
    """Whether run `uid` kept its model (False for a uid that cannot name one)."""
    try:
        return model_path(folder, uid).is_file()
    except ValueError:
        return False


def save_model(model: Any, folder: Path, uid: str) -> Path:
    """Write `model` as `<uid>.keras` (through a temporary file, so a crash leaves no half
    file under the real name); ModelFileError names the file when it cannot be written."""
    path = model_path(folder, uid)
    part = path.with_name(f".{path.stem}.part{SUFFIX}")  # Keras wants the .keras suffix
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # readable by the user only
        folder.mkdir(exist_ok=True, mode=0o700)
        model.save(part)
        os.chmod(part, 0o600)
        os.replace(part, path)
    except OSError as exc:
        if part.is_file():
            part.unlink()
        raise ModelFileError(f"{path}: could not save the model ({exc.strerror or exc})") from None
    return path


def load_model(folder: Path, uid: str) -> Any:
    """The run's Keras model, uncompiled (ready to predict), read in safe mode."""
    path = model_path(folder, uid)
    if not path.is_file():
        raise ModelFileError(f"{path}: the model file is missing; train the run again")
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # any failure to read means the file is not a usable model
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{path}: not a readable Keras model ({reason})") from None


def prune(
    folder: Path,
    uids: Sequence[str],
    *,
    max_bytes: int = MAX_BYTES,
    now: float | None = None,
) -> list[Path]:
    """Delete the files no run needs; `uids` are every saved run's, oldest first.

    Files (and left-over temporary files) of no run go once older than ORPHAN_AGE_S; then
    the oldest runs' files go until the rest fit in `max_bytes` (the newest always stays).
    Returns the deleted files."""
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    known = set(uids)
    removed: list[Path] = []
    kept: dict[str, tuple[Path, int]] = {}
    for path in folder.iterdir():
        if not path.is_file() or path.suffix != SUFFIX:
            continue
        stat = path.stat()
        if path.stem in known and not path.name.startswith("."):
            kept[path.stem] = (path, stat.st_size)
        elif now - stat.st_mtime > ORPHAN_AGE_S:
            removed.append(path)
    owned = [kept[uid] for uid in uids if uid in kept]
    total = sum(size for _, size in owned)
    for path, size in owned[:-1]:
        if total <= max_bytes:
            break
        removed.append(path)
        total -= size
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def prune_for(db: Database) -> list[Path]:
    """`prune` the models folder of `db` against the runs it holds."""
    from kviz.store.lab_runs import lab_run_uids

    return prune(folder_for(db), lab_run_uids(db))
