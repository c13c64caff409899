"""The teacher's report: figures checked against their definitions, CLI formats."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

from kviz.classroom.report import class_report
from kviz.classroom.roles import add_login, init_class
from kviz.store.database import open_database
from tests.classroom.conftest import answer_quiz, generate_class

ROOT = Path(__file__).resolve().parents[2]


def _point_biserial(pairs: list[tuple[int, float]]) -> float:
    """The textbook formula: (M1 - M0) / s * sqrt(p q), s the population std of the rest."""
    ys = [y for _, y in pairs]
    mean = sum(ys) / len(ys)
    s = math.sqrt(sum((y - mean) ** 2 for y in ys) / len(ys))
    ones = [y for x, y in pairs if x]
    zeros = [y for x, y in pairs if not x]
    p = len(ones) / len(pairs)
    return (sum(ones) / len(ones) - sum(zeros) / len(zeros)) / s * math.sqrt(p * (1 - p))


def test_report_figures_match_their_definitions(pg_url: str) -> None:
    db = open_database(pg_url)
    marks = {  # six learners, the same four questions (seed 0), row = one quiz
        "A": [True, True, True, True],
        "B": [True, True, True, False],
        "C": [True, False, True, False],
        "D": [False, True, False, False],
        "E": [True, False, False, False],
        "F": [False, False, False, True],
    }
    for name, row in marks.items():
        answer_quiz(db, name, row, seed=0)
    report = class_report(db)
    db.close()
    assert report.learners == tuple(marks)
    by_id = {q.question_id: q for q in report.questions}
    from kviz.bank.loader import load_bank
    from kviz.quiz.engine import build_quiz

    ids = [item.question_id for item in build_quiz(load_bank(), count=4, seed=0)]
    for col, qid in enumerate(ids):
        column = [row[col] for row in marks.values()]
        assert by_id[qid].percent_right == round(100 * sum(column) / 6, 1)
        pairs = [(int(row[col]), (sum(row) - row[col]) / 3) for row in marks.values()]
        assert by_id[qid].discrimination == round(_point_biserial(pairs), 3)
    assert report.most_missed[0].question_id == ids[3]  # 2 of 6 right, the fewest
    mastery = {(m.learner, m.topic): m.mastery for m in report.mastery}
    assert all(v == 1.0 for (who, _), v in mastery.items() if who == "A")


def test_generated_class_of_thirty_through_the_cli(pg_url: str) -> None:
    init_class(pg_url)
    db = open_database(pg_url)
    generate_class(db, learners=30)
    db.close()
    teacher = add_login(pg_url, "Ms Tee", "teacher")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "kviz", "class", "report", teacher]
    out = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["learners"]) == 30
    assert sum(q["answers"] for q in report["questions"]) == 30 * 3 * 8
    known = [q["discrimination"] for q in report["questions"] if q["discrimination"] is not None]
    assert known and sum(d > 0 for d in known) > len(known) / 2  # ability shows through
    labs = {(lab["learner"], lab["lab"]) for lab in report["labs"]}
    assert ("Learner 02", "filters=16") in labs and ("Learner 01", "reference") in labs
    rows = list(
        csv.reader(
            io.StringIO(
                subprocess.run(
                    [*cmd, "--csv"], env=env, capture_output=True, text=True, timeout=60
                ).stdout
            )
        )
    )
    assert rows[0][:3] == ["section", "learner", "topic"]
    text = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60).stdout
    assert "30 learners" in text and "most missed" in text


def test_sample_runs_are_their_own_lab_row(tmp_path: Path) -> None:
    """A run on the offline sample never shares a row (and a best accuracy) with full MNIST
    runs of the same settings. The report reads any database, so SQLite serves here."""
    from kviz.store.lab_runs import save_lab_run
    from kviz.store.records import get_or_create_learner
    from trainer.config import LabConfig
    from trainer.sample import SOURCE

    db = open_database(str(tmp_path / "kviz.db"))
    try:
        ana = get_or_create_learner(db, "Ana").id
        run = {"config": LabConfig().to_dict(), "history": []}
        save_lab_run(db, ana, run | {"test_accuracy": 0.969, "source": "folder /m"})
        save_lab_run(db, ana, run | {"test_accuracy": 0.876, "source": SOURCE})
        labs = [(lab.lab, lab.runs, lab.best_accuracy) for lab in class_report(db).labs]
    finally:
        db.close()
    assert labs == [("reference", 1, 0.969), ("reference [sample]", 1, 0.876)]
