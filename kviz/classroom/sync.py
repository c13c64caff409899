"""A learner's link to the class database, which may come and go.

Answers are always committed to the learner's local SQLite file first; `sync` then pushes
what the class database lacks (by stable uid, so nothing twice). When the class database
cannot be reached, `sync` says so and the next call, once it is back, sends everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from kviz.classroom.push import PushError, PushResult, push
from kviz.store.database import Database, DatabaseError, open_database


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    message: str  # one line for a status bar
    pushed: PushResult | None = None


class ClassLink:
    """Pushes one local learner's records to the class database at `url` when it can."""

    def __init__(self, local: Database, url: str) -> None:
        self.local = local
        self.url = url
        self._remote: Database | None = None

    def sync(self, learner: str | None = None) -> SyncStatus:
        try:
            if self._remote is None:
                self._remote = open_database(self.url)
            result = push(self.local, self._remote, learner)
        except (DatabaseError, PushError, SQLAlchemyError) as e:
            self.close()
            first = " ".join(str(getattr(e, "orig", None) or e).split())[:160]
            return SyncStatus(False, f"class database unreachable; working locally ({first})")
        added = result.attempts + result.lab_runs
        return SyncStatus(True, f"class database: connected, {added} new records sent", result)

    def close(self) -> None:
        if self._remote is not None:
            self._remote.engine.dispose()
            self._remote = None
