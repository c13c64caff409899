"""The desktop integration files and the PyInstaller spec are valid, without building anything.

The bundle build itself is too slow for CI; these checks catch the mistakes that would only
show there (a data file the spec forgets, a metainfo release that lags the version).
"""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.kviz.Kviz"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
ICON = PACKAGING / f"{APP_ID}.svg"
SPEC = PACKAGING / "kviz.spec"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_console_script_with_the_app_icon():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Kviz"
    assert entry["Comment"]
    assert entry["Exec"].split()[0] in PROJECT["scripts"]
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    categories = entry["Categories"]
    assert categories.endswith(";")
    assert {"Education", "Science"} <= set(categories.split(";"))
    assert entry["Keywords"].endswith(";")


def test_desktop_file_validate_accepts_the_entry(require):
    require(
        shutil.which("desktop-file-validate") is not None,
        "desktop-file-validate not installed (Debian: desktop-file-utils)",
    )
    run = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "error:" not in run.stdout


def test_metainfo_describes_this_release_of_the_desktop_entry():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == PROJECT["license"]
    for tag in ("name", "summary"):
        assert root.findtext(tag).strip()
    assert root.find("description/p") is not None
    launchable = root.find("launchable")
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("provides/binary") in PROJECT["scripts"]
    assert root.find("content_rating") is not None
    newest = root.find("releases/release")  # AppStream lists releases newest first
    assert newest.get("version") == PROJECT["version"], "add a <release> for the new version"


def test_appstreamcli_validates_the_metainfo(require):
    require(
        shutil.which("appstreamcli") is not None, "appstreamcli not installed (Debian: appstream)"
    )
    run = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_icon_is_a_square_svg_and_the_window_icon_is_the_same_file():
    root = ET.parse(ICON).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 128 128"
    assert (ROOT / "kviz" / "ui" / "icons" / "kviz.svg").read_bytes() == ICON.read_bytes()


def spec_assignments() -> dict[str, ast.expr]:
    """The spec's top-level `name = value` statements (the spec is parsed, never run)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def strings_in(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def called(node: ast.AST) -> str | None:
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None


def test_spec_builds_a_one_folder_bundle_from_the_entry_script():
    names = spec_assignments()
    assert {called(names[n]) for n in ("a", "pyz", "exe", "coll")} == {
        "Analysis",
        "PYZ",
        "EXE",
        "COLLECT",
    }
    assert "kviz_entry.py" in strings_in(names["ENTRY"])
    scripts = names["a"].args[0]
    assert isinstance(scripts, ast.List) and [n.id for n in scripts.elts] == ["ENTRY"]
    collect = {k.arg: k.value for k in names["coll"].keywords}
    assert collect["name"].value == "kviz"
    entry = ast.parse((PACKAGING / "kviz_entry.py").read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.ImportFrom) and n.module == "kviz.cli" for n in entry.body)


def test_spec_collects_the_data_files_the_app_opens_at_run_time():
    names = spec_assignments()
    datas = strings_in(names["datas"])
    assert {"questions", "*.yaml", "migrations", "icons", "kviz"} <= datas
    assert "data/data/mnist_5k.csv.gz" in datas
    assert "copy_metadata" in {called(n) for n in ast.walk(names["datas"])}
    hidden = strings_in(names["hiddenimports"])
    assert {"kviz", "trainer", "tensorflow", "keras"} <= hidden
    assert list((ROOT / "questions").glob("*.yaml")), "the bank the spec collects is empty"
    assert (ROOT / "kviz" / "store" / "migrations" / "env.py").is_file()


def test_build_script_is_valid_bash_that_uses_the_spec():
    script = PACKAGING / "build.sh"
    assert "packaging/kviz.spec" in script.read_text(encoding="utf-8")
    subprocess.run(["bash", "-n", str(script)], check=True)
