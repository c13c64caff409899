"""Where Kviz keeps its files: the user's data, cache and config folders (platformdirs).

One place decides these paths so the CLI, the app and the tests agree on them. (The MNIST
download cache is the trainer's: `trainer.mirrors.default_cache_dir()`, as the trainer never
imports kviz.)
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

APP_NAME = "kviz"
DB_ENV = "KVIZ_DB"
DB_URL_ENV = "KVIZ_DB_URL"  # a database URL, e.g. a class database: postgresql+psycopg://...


def data_dir() -> Path:
    """The per-user data folder (learner records live here)."""
    return user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """The per-user cache folder (downloads that can be fetched again)."""
    return user_cache_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The per-user settings folder."""
    return user_config_path(APP_NAME, appauthor=False)


def user_bank_dir() -> Path:
    """The learner's own question files (imports land here), loaded beside the built-in bank."""
    return data_dir() / "questions"


def default_database_path() -> Path:
    """The learner database used when neither --db nor $KVIZ_DB names one."""
    return data_dir() / "kviz.db"


def database_target(explicit: str | None = None) -> str:
    """The database the user asked for: --db, else $KVIZ_DB_URL, else $KVIZ_DB, else the default."""
    if explicit:
        return explicit
    for name in (DB_URL_ENV, DB_ENV):
        env = os.environ.get(name, "").strip()
        if env:
            return env
    return str(default_database_path())
