"""Under CI=true a missing requirement fails the test instead of skipping it green."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
A_TEST_NEEDING_MNIST = "tests/trainer/test_data.py::test_env_var_names_the_folder"


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["KVIZ_MNIST_DIR"] = str(tmp_path / "no-mnist-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", A_TEST_NEEDING_MNIST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_mnist_skips_on_a_newcomer_machine_with_the_reason(tmp_path):
    run = _run(tmp_path, None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout


def test_missing_mnist_fails_under_ci(tmp_path):
    run = _run(tmp_path, "true")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "required in CI: real MNIST files not found" in run.stdout
    assert "1 error" in run.stdout  # failed in its fixture: red, not skipped
