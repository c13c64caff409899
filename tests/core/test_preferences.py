"""The remembered settings file: where the MNIST folder comes from, in which order, and a
damaged file named (and replaced when a folder is chosen again)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kviz.preferences import (
    PreferencesError,
    mnist_folder,
    mnist_source,
    preferences_path,
    read_preferences,
    remember_mnist_dir,
    saved_mnist_dir,
)


def test_nothing_saved_yet():
    assert read_preferences() == {} and saved_mnist_dir() is None and mnist_folder() is None


def test_remembered_folder_round_trip_keeps_other_settings(tmp_path):
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"theme": "dark"}))
    remember_mnist_dir(tmp_path / "mnist" / ".." / "mnist")
    assert saved_mnist_dir() == (tmp_path / "mnist").resolve()
    assert read_preferences()["theme"] == "dark"
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left


def test_order_explicit_then_environment_then_remembered(tmp_path, monkeypatch):
    remember_mnist_dir(tmp_path / "saved")
    assert mnist_source() == ((tmp_path / "saved").resolve(), "remembered")
    monkeypatch.setenv("KVIZ_MNIST_DIR", str(tmp_path / "env"))
    assert mnist_source() == (tmp_path / "env", "environment")
    assert mnist_source(tmp_path / "given") == (tmp_path / "given", "given")
    assert mnist_folder(tmp_path / "given") == tmp_path / "given"


def test_forgetting_the_folder_keeps_the_rest(tmp_path):
    remember_mnist_dir(tmp_path)
    path = preferences_path()
    path.write_text(json.dumps({"mnist_dir": str(tmp_path), "theme": "dark"}))
    remember_mnist_dir(None)
    assert read_preferences() == {"theme": "dark"} and mnist_source() == (None, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"mnist_dir": ', "line 1: not valid JSON"),
        ("[1, 2]", "expected a JSON object of settings"),
        ('{"mnist_dir": 3}', "mnist_dir: expected a folder path"),
    ],
)
def test_a_damaged_file_is_named_and_choosing_again_replaces_it(tmp_path, text, message):
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(PreferencesError, match=f"^{path}: {message}"):
        saved_mnist_dir()
    remember_mnist_dir(tmp_path)
    assert saved_mnist_dir() == Path(tmp_path).resolve()


def test_an_unwritable_settings_folder_is_one_message(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))  # the settings folder cannot exist
    with pytest.raises(PreferencesError, match="settings.json: cannot save the settings"):
        remember_mnist_dir(tmp_path)
