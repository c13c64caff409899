"""Revision 0004: attempts keep what was shown and a stable uid; `kviz history` reads them."""

from __future__ import annotations

import json
import random
import sqlite3

from sqlalchemy import create_engine

from kviz.cli import main
from kviz.quiz.answers import parse_answer
from kviz.quiz.engine import QuizRun
from kviz.quiz.items import make_item
from kviz.store import history as h
from kviz.store import records as r
from kviz.store.database import migrate, open_database


def answer(db, bank, qid, raw, learner="ann"):
    learner_id = r.get_or_create_learner(db, learner).id
    quiz = r.start_quiz(db, learner_id, "quiz", ["filters"])
    item = make_item(bank.get(qid), random.Random(7))
    parsed = parse_answer(item, raw)
    r.record_attempt(db, quiz, item, parsed.canonical, QuizRun([item]).submit(parsed, 1.5), 1.5)
    r.finish_quiz(db, quiz)
    return item


def test_new_attempt_stores_what_was_shown(db, bank):
    item = answer(db, bank, "filters-003", "80")
    (a,) = h.attempt_history(db)
    assert a.prompt == item.prompt and a.expected == item.key.expected
    assert a.drawn_values == (json.loads(json.dumps(dict(item.values))) or None)
    assert len(a.uid) == 36 and a.learner == "ann" and a.answer_given == "80"


def test_choices_are_stored_in_the_order_shown(db, bank):
    single = next(e for e in bank.entries if e.question.type == "single")
    item = make_item(single, random.Random(7))
    learner_id = r.get_or_create_learner(db, "bo").id
    quiz = r.start_quiz(db, learner_id, "quiz", [])
    parsed = parse_answer(item, "a")
    r.record_attempt(db, quiz, item, parsed.canonical, QuizRun([item]).submit(parsed, 1.0), 1.0)
    (a,) = h.attempt_history(db)
    assert a.choices == item.choices and a.choices != () and a.expected == item.key.expected


def test_upgrade_from_0003_keeps_old_attempts_readable_with_fresh_uids(tmp_path, bank):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine, "0003")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO learners VALUES (1, 'ann', '2026-01-01', '2026-01-01')")
    con.execute(
        "INSERT INTO quiz_sessions (id, learner_id, mode, topics, started_at)"
        " VALUES (1, 1, 'quiz', '[]', '2026-01-01')"
    )
    for i in (1, 2):
        con.execute(
            "INSERT INTO attempts (id, quiz_id, learner_id, question_id, topic, answer_given,"
            " correct, seconds, answered_at) VALUES (?, 1, 1, 'filters-002', 'filters', 'true',"
            " 1, 2.0, '2026-01-0' || ?)",
            (i, i),
        )
    con.commit()
    con.close()
    db = open_database(str(path))
    old = h.attempt_history(db)
    assert [a.prompt for a in old] == [None, None] and len({a.uid for a in old}) == 2
    answer(db, bank, "filters-002", "true")
    newest = h.attempt_history(db)[0]
    assert newest.prompt is not None and newest.uid not in {a.uid for a in old}
    db.close()


def test_history_command_json_and_text(tmp_path, bank, capsys):
    path = tmp_path / "k.db"
    db = open_database(str(path))
    answer(db, bank, "filters-003", "81", learner="ann")
    answer(db, bank, "filters-002", "true", learner="bo")
    db.close()
    assert main(["history", "--db", str(path), "--learner", "ANN", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["attempts"]
    assert [(x["learner"], x["question_id"], x["correct"]) for x in rows] == [
        ("ann", "filters-003", False)
    ]
    assert main(["history", "--db", str(path)]) == 0
    text = capsys.readouterr().out
    assert "filters-002  wrong" in text and "expected:" in text
    assert main(["history", "--db", str(path), "--learner", "nobody"]) == 2
    assert "no learner named 'nobody'" in capsys.readouterr().err


def test_the_answer_is_shown_in_the_learners_letters(db, bank):
    multiple = next(e for e in bank.entries if e.question.type == "multiple")
    item = make_item(multiple, random.Random(3))
    learner_id = r.get_or_create_learner(db, "cy").id
    quiz = r.start_quiz(db, learner_id, "quiz", [])
    parsed = parse_answer(item, "a,b")  # display letters
    r.record_attempt(db, quiz, item, parsed.canonical, QuizRun([item]).submit(parsed, 1.0), 1.0)
    (a,) = h.attempt_history(db)
    assert (
        a.answer_shown(multiple.question.choices) == f"a) {item.choices[0]}; b) {item.choices[1]}"
    )
    assert a.answer_shown(None) == a.answer_given == parsed.canonical  # no bank: as stored
    assert a.answer_shown(("changed", "since")) == a.answer_given
