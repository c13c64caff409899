"""The wheel holds the app, the trainer and the whole question bank; one version everywhere."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import kviz

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]


def source_files(folder: Path, pattern: str) -> list[str]:
    """Wheel-style names of the checkout's files under folder (bytecode caches aside)."""
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in folder.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A wheel built from a copy of the checkout, so no build/ or egg-info lands in it."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in ("kviz", "trainer", "questions"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)]
    # Offline and fast when this environment already has a new enough setuptools (the
    # license = "MIT" form needs 77); otherwise build fetches it into an isolated env.
    if int(version("setuptools").split(".")[0]) >= 77:
        command.insert(4, "--no-isolation")
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (path,) = out.glob("*.whl")
    with zipfile.ZipFile(path) as zf:
        yield zf


def test_wheel_holds_the_three_packages_and_nothing_else(wheel):
    names = set(wheel.namelist())
    assert {
        "kviz/__init__.py",
        "kviz/cli.py",
        "trainer/__init__.py",
        "questions/__init__.py",
    } <= names
    tops = {n.split("/")[0] for n in names}
    assert tops == {"kviz", "trainer", "questions", f"kviz-{VERSION}.dist-info"}


def test_wheel_holds_every_bank_file(wheel):
    bank = source_files(ROOT / "questions", "*.yaml")
    assert bank, "no question files in questions/"
    assert set(bank) <= set(wheel.namelist())


def test_wheel_holds_the_migrations_and_the_icon(wheel):
    migrations = source_files(ROOT / "kviz" / "store" / "migrations", "*.py")
    assert "kviz/store/migrations/env.py" in migrations
    assert any("/versions/" in m for m in migrations), "no Alembic revision"
    names = set(wheel.namelist())
    assert set(migrations) <= names
    assert "kviz/ui/icons/kviz.svg" in names
    assert "trainer/quest_reference.json" in names  # the Quest view's measured reference table


def test_wheel_declares_the_kviz_command_and_the_version(wheel):
    info = f"kviz-{VERSION}.dist-info"
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(f"{info}/entry_points.txt").decode())
    assert entry_points["console_scripts"]["kviz"] == "kviz.cli:main"
    metadata = wheel.read(f"{info}/METADATA").decode()
    assert f"\nVersion: {VERSION}\n" in metadata


def test_one_version_from_pyproject_to_the_command():
    assert kviz.__version__ == VERSION, "pyproject changed: reinstall (pip install -e .)"
    script = Path(sys.executable).with_name("kviz")
    run = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == f"kviz {VERSION}"
