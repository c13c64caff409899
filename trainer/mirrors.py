"""Where MNIST comes from when no folder is given: the mirror chain and the download cache.

yann.lecun.com no longer serves the files, so the mirrors below are tried in order. A
download goes to a temporary file beside its target and becomes the cached file only after
its md5 matches, so an interrupted or corrupt download is never mistaken for data.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
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

Progress = Callable[[str, int, int], None]
_CHUNK = 1 << 16


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
    if not path.is_file():
        return "missing"
    if path.stat().st_size == 0:
        return "empty"
    if md5_of(path) != md5:
        return "corrupt or truncated (md5 mismatch)"
    return None


def download(
    name: str,
    md5: str,
    cache_dir: Path,
    mirrors: Sequence[str],
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> Path:
    """Fetch one file from the first mirror that serves it intact; raise DataError if none does."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / name
    failures = []
    for base in mirrors:
        url = base if base.endswith("/") else base + "/"
        try:
            _fetch_verified(url + name, target, md5, progress, timeout)
            return target
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failures.append(f"{url}: {_reason(exc)}")
    tried = "; ".join(failures) or "no mirrors configured"
    raise DataError(f"{name}: could not download ({tried})")


def _fetch_verified(
    url: str, target: Path, md5: str, progress: Progress | None, timeout: float
) -> None:
    """Stream url into a temp file in target's folder, check its md5, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while block := resp.read(_CHUNK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(target.name, done, total)
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
    return str(exc) or type(exc).__name__
