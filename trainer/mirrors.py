"""Where MNIST comes from when no folder is given: the mirror chain and the download cache.

yann.lecun.com no longer serves the files, so the mirrors below are tried in order. A
download goes to a temporary file beside its target and becomes the cached file only after
its md5 matches, so an interrupted or corrupt download is never mistaken for data.

A mirror gets `timeout` seconds to connect and to send each piece, must keep up `MIN_RATE`
on average once `GRACE_S` have passed (a server that drips a byte every few seconds is
dropped), and may not send more than the file's known size (a server that streams forever
cannot fill the disk). Temporary files left by a killed download are removed next time.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from trainer.errors import DataError

# The four standard files and the md5 of each .gz as published with MNIST.
CHECKSUMS: Mapping[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

MIRRORS: tuple[str, ...] = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)

# Byte sizes of the four .gz files: the most a mirror may send for each.
SIZES: Mapping[str, int] = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}
MAX_UNKNOWN_SIZE = 64 << 20  # a file not in SIZES
MIN_RATE = 20_000  # bytes/s on average, checked once GRACE_S have passed
GRACE_S = 20.0
STALE_PART_S = 3600.0  # a .part file this old was left by a download that died

Progress = Callable[[str, int, int], None]
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    """How long and how much a mirror may take (tests pass tight ones)."""

    timeout: float = 30.0  # to connect, and between two pieces of data
    min_rate: float = MIN_RATE
    grace_s: float = GRACE_S
    max_bytes: int | None = None  # None: the file's entry in SIZES


def default_cache_dir() -> Path:
    """The per-user cache folder for the downloaded files (platformdirs, app "kviz")."""
    from platformdirs import user_cache_path

    return user_cache_path("kviz") / "mnist"


def md5_of(path: Path) -> str:
    """The hex md5 of a file, read in chunks so a large file never sits in memory twice."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_problem(path: Path, md5: str) -> str | None:
    """What is wrong with one dataset file, or None when it is present and intact."""
    try:
        if not path.parent.is_dir():
            return "missing (no such folder)"
        if not os.access(path.parent, os.R_OK | os.X_OK):
            return "cannot read its folder (permission denied)"
        if not path.is_file():
            return "missing"
        if path.stat().st_size == 0:
            return "empty"
        if md5_of(path) != md5:
            return "corrupt or truncated (md5 mismatch)"
    except OSError as e:
        return f"cannot read ({e.strerror or e})"
    return None


def remove_stale_parts(cache_dir: Path, now: float | None = None) -> None:
    """Delete temporary files of downloads that died (kill -9, power cut) long ago."""
    limit = (time.time() if now is None else now) - STALE_PART_S
    for part in cache_dir.glob(".*.part"):
        try:
            if part.stat().st_mtime < limit:
                part.unlink()
        except OSError:
            pass  # another process's, or already gone


def download(
    name: str,
    md5: str,
    cache_dir: Path,
    mirrors: Sequence[str],
    progress: Progress | None = None,
    limits: Limits = Limits(),
) -> Path:
    """Fetch one file from the first mirror that serves it intact; raise DataError if none does."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"{cache_dir}: cannot create the download cache ({e.strerror})") from None
    remove_stale_parts(cache_dir)
    target = cache_dir / name
    cap = limits.max_bytes or SIZES.get(name, MAX_UNKNOWN_SIZE)
    failures = []
    for base in mirrors:
        url = base if base.endswith("/") else base + "/"
        try:
            _fetch_verified(url + name, target, md5, progress, limits, cap)
            return target
        except PermissionError as e:
            raise DataError(f"{cache_dir}: cannot write the download ({e.strerror})") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(f"{url}: {_reason(exc)}")
    tried = "; ".join(failures) or "no mirrors configured"
    raise DataError(f"{name}: could not download ({tried})")


def _fetch_verified(
    url: str, target: Path, md5: str, progress: Progress | None, limits: Limits, cap: int
) -> None:
    """Stream url into a temp file in target's folder, check its md5, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=limits.timeout) as resp,
        ):
            total = int(resp.headers.get("Content-Length") or 0)
            if total > cap:
                raise ValueError(f"offers {total:,} bytes, more than the file's {cap:,}")
            done = 0
            start = time.monotonic()
            while block := resp.read1(_CHUNK):  # what has arrived, not a full chunk
                done += len(block)
                if done > cap:
                    raise ValueError(f"sent more than the file's {cap:,} bytes")
                out.write(block)
                digest.update(block)
                if progress is not None:
                    progress(target.name, done, total or cap)
                elapsed = time.monotonic() - start
                if elapsed > limits.grace_s and done < limits.min_rate * elapsed:
                    raise ValueError(f"too slow ({done / elapsed:,.0f} bytes/s)")
        if total and done != total:
            raise ValueError(f"got {done} of {total} bytes")
        if digest.hexdigest() != md5:
            raise ValueError("md5 mismatch")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    """A short, one-line reason for a failed download."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
