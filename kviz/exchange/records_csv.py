"""Scores and lab runs as CSV for a spreadsheet: UTF-8 with a header, one row per record.

A spreadsheet opens these as they are; nothing is formatted for display (times are ISO 8601
in UTC, accuracies fractions), so sorting and formulas work.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kviz.bank.loader import Bank
from kviz.exchange.common import ExchangeError
from kviz.store.database import Database
from kviz.store.history import attempt_history
from kviz.store.lab_runs import list_lab_runs
from kviz.store.records import list_learners

ATTEMPT_COLUMNS = (
    "learner",
    "time",
    "topic",
    "question_id",
    "type",
    "answer_given",
    "expected",
    "correct",
    "seconds",
)
RUN_COLUMNS = (
    "learner",
    "time",
    "settings",
    "test_accuracy",
    "gap",
    "params",
    "fit_seconds",
    "source",
    "data",  # "sample" (the offline sample) or "MNIST": what a spreadsheet filters on
    "n_train",
    "n_test",
    "cancelled",
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a `'`.

    Learner names and typed answers are free text, and a teacher opens this file in Excel or
    LibreOffice: `=HYPERLINK(...)` must stay text (OWASP's advice on CSV injection). Plain
    numbers such as `-3` are left as they are.
    """
    risky = isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
    return "'" + str(value) if risky and not _is_number(str(value)) else value


def _write(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> int:
    try:
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            out.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    except OSError as e:
        raise ExchangeError(f"{path}: cannot write: {e.strerror or e}") from None
    return len(rows)


def write_attempts_csv(
    db: Database, path: Path, bank: Bank | None = None, learner_id: int | None = None
) -> int:
    """Every attempt (one learner's or all), oldest first; returns the number of rows.

    `expected` is what the learner was shown as the right answer (kept since revision 0004);
    for older attempts it is left empty rather than guessed. `type` comes from the bank.
    """
    rows: list[list[object]] = []
    for a in reversed(attempt_history(db, learner_id)):
        entry = bank.get(a.question_id) if bank is not None else None
        rows.append(
            [
                a.learner,
                a.answered_at.isoformat(),
                a.topic,
                a.question_id,
                entry.question.type if entry else "",
                a.answer_given,
                a.expected or "",
                int(a.correct),
                round(a.seconds, 3),
            ]
        )
    return _write(path, ATTEMPT_COLUMNS, rows)


def write_runs_csv(db: Database, path: Path, learner_id: int | None = None) -> int:
    """Every lab run (one learner's or all), oldest first; returns the number of rows."""
    from trainer.data import data_kind

    names = {learner.id: learner.name for learner in list_learners(db)}
    rows: list[list[object]] = []
    for run in list_lab_runs(db, learner_id):
        m = run.metrics
        rows.append(
            [
                names.get(run.learner_id, "") if run.learner_id is not None else "",
                run.created_at.isoformat(),
                json.dumps(dict(run.config), sort_keys=True),
                "" if run.test_accuracy is None else run.test_accuracy,
                "" if run.gap is None else run.gap,
                m.get("params", ""),
                round(run.duration_s, 3),
                run.source,
                data_kind(run.source),
                m.get("n_train", ""),
                m.get("n_test", ""),
                int(run.cancelled),
            ]
        )
    return _write(path, RUN_COLUMNS, rows)
