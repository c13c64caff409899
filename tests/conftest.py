"""Shared fixtures: the real MNIST folder beside the checkout, isolated user folders, what a
test needs (skipped on a newcomer's machine, a failure under CI=true), and a time scale for
wall-clock limits."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
MNIST_DIR = Path(os.environ.get("KVIZ_MNIST_DIR", ROOT.parent / "shared" / "data" / "mnist"))


# The baseline workload's time on the machine the limits were written on (best of 3, idle).
REFERENCE_BASELINE_S = 0.092


def missing(reason: str) -> NoReturn:
    """A requirement is absent: skip with the reason, but fail in CI, where nothing may hide."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def require() -> Callable[[bool, str], None]:
    """require(present, reason): see `missing`."""

    def check(present: bool, reason: str) -> None:
        if not present:
            missing(reason)

    return check


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four real MNIST files (KVIZ_MNIST_DIR, else ../shared/data/mnist)."""
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        missing(f"real MNIST files not found in {MNIST_DIR} (set KVIZ_MNIST_DIR)")
    return MNIST_DIR


def _baseline_s() -> float:
    """Best of 3 of a fixed pure-Python loop: how fast this machine is right now."""

    def once() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        return time.perf_counter() - started

    return min(once() for _ in range(3))


@pytest.fixture
def seconds() -> Callable[[float], float]:
    """seconds(limit): `limit` (written for the reference machine) scaled by how much slower
    this machine is now, measured just before the test; never below `limit`."""
    scale = max(1.0, _baseline_s() / REFERENCE_BASELINE_S)
    return lambda limit: limit * scale


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


@pytest.fixture
def other_values() -> dict[str, Any]:
    """One value other than the default for every lab setting (the block-2/3 ones need
    blocks=3): the settings registry, the Build form and saved runs all round-trip it."""
    return {
        "blocks": 3,
        "filters": 12,
        "kernel": 5,
        "pool": 1,
        "filters2": 20,
        "kernel2": 2,
        "pool2": 1,
        "filters3": 24,
        "kernel3": 2,
        "pool3": 3,
        "stride": 2,
        "conv_activation": "relu",
        "batch_norm": True,
        "hidden": 64,
        "dropout": 0.3,
        "epochs": 7,
        "batch_size": 128,
        "optimizer": "rmsprop",
        "learning_rate": 0.005,
        "schedule": "onecycle",
        "label_smoothing": 0.1,
        "seed": 42,
        "normalization": "unit",
        "shift": 2,
        "rotation": 10,
        "train_limit": 5000,
    }


def _run_as_nobody(fn: Callable[[], object]) -> str:
    """fn() in a forked child run as uid/gid 65534 (root ignores file modes); what it returned,
    or the failure it raised, as text."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            out = str(fn())
        except BaseException as e:  # noqa: BLE001 - the test wants any failure
            out = f"{type(e).__name__}: {e}"
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    os.waitpid(pid, 0)
    return out


@pytest.fixture
def as_nobody() -> Callable[[Callable[[], object]], str]:
    """Run a function as an unprivileged user in a child process (permission tests)."""
    return _run_as_nobody
