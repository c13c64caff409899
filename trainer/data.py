"""MNIST as uint8 arrays, from the first source that has it, and its scaling for the model.

Source order: an explicit folder (argument or $KVIZ_MNIST_DIR), the download cache, the
mirrors (into the cache), and last the offline sample. A folder that was asked for is
never silently replaced: a missing or corrupt file there is a DataError naming the file.
When the sample stands in, `MnistData.fallback` says why, so the app and the CLI can tell
the learner (a sample run reaches ~88% where the full set reaches ~97%).
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from trainer import mirrors as mirror_chain
from trainer.config import Normalization
from trainer.errors import DataError

SourceKind = Literal["folder", "cache", "mirror", "sample"]

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
SAMPLE_SOURCE = "offline sample (5,000 digits)"  # trainer.sample's MnistData.source


@dataclass(frozen=True)
class MnistData:
    """Train and test digits as the files hold them, plus where they came from."""

    train_images: np.ndarray  # uint8 (N, 28, 28)
    train_labels: np.ndarray  # uint8 (N,)
    test_images: np.ndarray  # uint8 (M, 28, 28)
    test_labels: np.ndarray  # uint8 (M,)
    source: str  # shown to people, e.g. "folder /x", "offline sample (5,000 digits)"
    source_kind: SourceKind
    fallback: str | None = None  # why the offline sample stands in for MNIST; None otherwise


def check_folder(folder: Path | str, checksums: Mapping[str, str] | None = None) -> Path:
    """The folder, expanded, when it holds the four MNIST files intact; else a DataError
    naming every file that is missing or damaged (a person chose this folder): one file as
    "/x/t10k-labels-idx1-ubyte.gz: missing", several as "/x: a: missing; b: corrupt ..."."""
    sums = dict(mirror_chain.CHECKSUMS if checksums is None else checksums)
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise DataError(f"{path}: no such folder (it should hold the four MNIST files)")
    problems = [
        (name, problem)
        for name, md5 in sums.items()
        if (problem := mirror_chain.file_problem(path / name, md5)) is not None
    ]
    if len(problems) == 1:
        ((name, problem),) = problems
        raise DataError(f"{path / name}: {problem}")
    if problems:
        raise DataError(f"{path}: " + "; ".join(f"{name}: {why}" for name, why in problems))
    return path


def data_kind(source: str) -> Literal["sample", "MNIST", "unknown"]:
    """ "sample" for a run on the offline sample, "MNIST" for a folder, cache or mirror, and
    "unknown" for a run saved without its source."""
    if not source:
        return "unknown"
    return "sample" if source == SAMPLE_SOURCE else "MNIST"


def data_label(source: str, n_train: int | None, n_test: int | None, *, short: bool = False) -> str:
    """How a run's data reads wherever runs are listed: "sample, 4,000 train / 1,000 test"
    or "MNIST, 60,000 train / 10,000 test", so a sample run never looks like a full one.
    `short` drops "train" and "test" ("MNIST, 60,000 / 10,000") for a table's narrow column."""
    kind = data_kind(source)
    if kind == "unknown":
        return "not recorded" if short else "data not recorded"
    if n_train is None or n_test is None:
        return kind
    if short:
        return f"{kind}, {n_train:,} / {n_test:,}"
    return f"{kind}, {n_train:,} train / {n_test:,} test"


def load_mnist(
    mnist_dir: Path | str | None = None,
    *,
    cache_dir: Path | None = None,
    mirrors: Sequence[str] | None = None,
    offline_sample: bool = True,
    progress: mirror_chain.Progress | None = None,
    checksums: Mapping[str, str] | None = None,
) -> MnistData:
    """Load MNIST from the first source that has it (see the module docstring for the order).

    `checksums` maps each of the four file names to its md5; the published table is the
    default, and tests pass their own to serve small synthetic files.
    """
    sums = dict(mirror_chain.CHECKSUMS if checksums is None else checksums)
    folder = mnist_dir if mnist_dir is not None else os.environ.get("KVIZ_MNIST_DIR") or None
    if folder is not None:
        folder = check_folder(folder, sums)
        return _read_folder(folder, f"folder {folder}", "folder")

    cache = cache_dir if cache_dir is not None else mirror_chain.default_cache_dir()
    chain = mirror_chain.MIRRORS if mirrors is None else tuple(mirrors)
    fetched = False
    try:
        for name, md5 in sums.items():
            if mirror_chain.file_problem(cache / name, md5) is not None:
                _discard(cache / name)
                mirror_chain.download(name, md5, cache, chain, progress)
                fetched = True
    except DataError as exc:
        if not offline_sample:
            raise
        from trainer.sample import load_sample

        why = f"no MNIST folder is set and the download failed: {exc}"
        return replace(load_sample(), fallback=why)
    if fetched:
        return _read_folder(cache, f"downloaded to {cache}", "mirror")
    return _read_folder(cache, f"cache {cache}", "cache")


def _discard(path: Path) -> None:
    """Remove a cached file that is missing, corrupt or unreadable, so it is fetched again."""
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise DataError(f"{path}: cannot replace this cached file ({e.strerror})") from None


def prepare(images: np.ndarray, normalization: Normalization) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) scaled as the lab asks.

    "center" is the seed's (x / 255) - 0.5, "unit" is x / 255 and "none" keeps 0-255, so
    a learner can see what scaling does to training.
    """
    x = images.astype(np.float32)
    if normalization == "center":
        x = x / np.float32(255) - np.float32(0.5)
    elif normalization == "unit":
        x = x / np.float32(255)
    elif normalization != "none":
        raise ValueError(f"unknown normalization {normalization!r}")
    return x[..., np.newaxis]


def _read_folder(folder: Path, source: str, kind: SourceKind) -> MnistData:
    """Parse the four idx files of a folder whose checksums have been checked."""
    train_images = _read_idx(folder / TRAIN_IMAGES, ndim=3)
    train_labels = _read_idx(folder / TRAIN_LABELS, ndim=1)
    test_images = _read_idx(folder / TEST_IMAGES, ndim=3)
    test_labels = _read_idx(folder / TEST_LABELS, ndim=1)
    for images, labels, name in (
        (train_images, train_labels, TRAIN_LABELS),
        (test_images, test_labels, TEST_LABELS),
    ):
        if len(images) != len(labels):
            raise DataError(f"{folder / name}: {len(labels)} labels for {len(images)} images")
    return MnistData(train_images, train_labels, test_images, test_labels, source, kind)


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    """One gzip'd idx file as a uint8 array, parsed by the `mnist` package."""
    import mnist

    try:
        with gzip.open(path, "rb") as f:
            array = mnist.parse_idx(f)
    except PermissionError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    except (OSError, EOFError, zlib.error, mnist.IdxDecodeError) as exc:
        raise DataError(f"{path}: not a valid gzip'd idx file ({exc})") from None
    expected = (28, 28) if ndim == 3 else ()
    if array.ndim != ndim or array.shape[1:] != expected:
        raise DataError(f"{path}: unexpected shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.uint8)
