"""The question bank: one YAML file per topic, shipped as package data."""

from pathlib import Path

BANK_DIR = Path(__file__).resolve().parent


def bank_files() -> list[Path]:
    """The installed bank's topic files, in a stable order."""
    return sorted(BANK_DIR.glob("*.yaml"))
