"""Shared fixtures: the real MNIST folder beside the checkout, isolated user folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
MNIST_DIR = Path(os.environ.get("KVIZ_MNIST_DIR", ROOT.parent / "shared" / "data" / "mnist"))


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four real MNIST files (KVIZ_MNIST_DIR, else ../shared/data/mnist)."""
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real MNIST files not found in {MNIST_DIR} (set KVIZ_MNIST_DIR)")
    return MNIST_DIR


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's folders and the caller's MNIST setting."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("KVIZ_DB", raising=False)
    monkeypatch.delenv("KVIZ_DB_URL", raising=False)
    # The real folder reaches tests through the `mnist_dir` fixture only, so a test of the
    # cache, the mirrors or the offline sample never silently loads it from the environment.
    monkeypatch.delenv("KVIZ_MNIST_DIR", raising=False)
    yield home


@pytest.fixture
def torch_required() -> None:
    """PyTorch for the Keras vs PyTorch tests: skip without it, except under CI=true (fail)."""
    from trainer.versus import torch_available

    if torch_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("PyTorch is missing under CI: install the extra, pip install -e '.[pytorch]'")
    pytest.skip("PyTorch is not installed (pip install 'kviz[pytorch]')")
