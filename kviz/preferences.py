"""The learner's remembered choices: one small JSON file in the settings folder.

It holds the MNIST folder chosen in the app, so a lab that fell back to the offline sample
once does not do so again next session. The app and the CLI find the folder the same way:
`mnist_folder(explicit)` is --mnist-dir, else $KVIZ_MNIST_DIR, else the remembered folder.
The file is plain JSON written atomically; a damaged one is a `PreferencesError` naming it,
and remembering a folder again replaces it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from kviz.paths import config_dir

MNIST_ENV = "KVIZ_MNIST_DIR"
MNIST_KEY = "mnist_dir"
FolderOrigin = Literal["given", "environment", "remembered"]  # where the folder was named


class PreferencesError(Exception):
    """The settings file cannot be read or written; the message names it."""


def preferences_path() -> Path:
    """The settings file: settings.json in the per-user settings folder."""
    return config_dir() / "settings.json"


def read_preferences() -> dict[str, Any]:
    """Everything remembered; {} when nothing has been saved yet."""
    path = preferences_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise PreferencesError(f"{path}: cannot read the settings file ({e})") from None
    try:
        saved = json.loads(text)
    except json.JSONDecodeError as e:
        raise PreferencesError(
            f"{path}: line {e.lineno}: not valid JSON ({e.msg}); choose the MNIST folder "
            "again to rewrite it"
        ) from None
    if not isinstance(saved, dict):
        raise PreferencesError(f"{path}: expected a JSON object of settings")
    return saved


def saved_mnist_dir() -> Path | None:
    """The MNIST folder chosen in the app, if any."""
    value = read_preferences().get(MNIST_KEY)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PreferencesError(f"{preferences_path()}: {MNIST_KEY}: expected a folder path")
    return Path(value)


def remember_mnist_dir(folder: Path | str | None) -> None:
    """Save the MNIST folder for later sessions, or forget it with None (other settings
    kept, a damaged file replaced)."""
    try:
        saved = read_preferences()
    except PreferencesError:
        saved = {}
    if folder is None:
        saved.pop(MNIST_KEY, None)
    else:
        saved[MNIST_KEY] = str(Path(folder).expanduser().resolve())
    _write(saved)


def _write(saved: dict[str, Any]) -> None:
    """Replace the settings file atomically: a crash leaves the old file or the new one."""
    path = preferences_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(saved, f, indent=2, sort_keys=True)
                f.write("\n")
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise PreferencesError(f"{path}: cannot save the settings ({e.strerror or e})") from None


def mnist_source(explicit: Path | str | None = None) -> tuple[Path | None, FolderOrigin | None]:
    """The MNIST folder to read and where it was named: `explicit` (--mnist-dir, "given"),
    $KVIZ_MNIST_DIR ("environment"), the remembered one ("remembered"); (None, None) lets
    the trainer try its cache, the mirrors, then the offline sample."""
    if explicit:
        return Path(explicit), "given"
    env = os.environ.get(MNIST_ENV, "").strip()
    if env:
        return Path(env), "environment"
    saved = saved_mnist_dir()
    return (saved, "remembered") if saved is not None else (None, None)


def mnist_folder(explicit: Path | str | None = None) -> Path | None:
    """The folder of `mnist_source`."""
    return mnist_source(explicit)[0]
