"""The docs stay true: BANK_FORMAT.md's example file passes `kviz bank check`, and
ARCHITECTURE.md names every module of the three layers."""

from __future__ import annotations

import re
from pathlib import Path

from kviz.bank.loader import check_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_bank_format_example_passes_the_check(tmp_path):
    text = (ROOT / "docs" / "BANK_FORMAT.md").read_text("utf-8")
    example = re.findall(r"```yaml\n(.*?)```", text, re.S)[0]
    topic = re.search(r"^topic: (\w+)", example, re.M)
    assert topic is not None
    path = tmp_path / f"{topic.group(1)}.yaml"
    path.write_text(example, "utf-8")
    assert [str(p) for p in check_files([path])] == []


def test_architecture_names_every_module():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    modules = [
        p.relative_to(ROOT).as_posix()
        for folder in ("trainer", "kviz")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if p.name != "__init__.py" and "migrations" not in p.parts
    ]
    assert [m for m in modules if f"`{m}`" not in text] == []
