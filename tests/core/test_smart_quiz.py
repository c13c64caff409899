"""The smart quiz adapts to seeded learner histories (kviz.quiz.smart, history.smart_quiz)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from kviz.bank.loader import load_bank
from kviz.quiz.engine import one_per_fact
from kviz.quiz.grading import Feedback
from kviz.quiz.items import make_item
from kviz.quiz.smart import Seen, build_smart_quiz
from kviz.store import history as h
from kviz.store import records as r

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_a_learner_weak_in_dropout_gets_mostly_dropout(bank):
    long_ago = NOW - timedelta(days=10)
    seen = {e.question.id: Seen(long_ago, e.topic != "dropout") for e in bank.entries}
    mastery = {t: (0.0 if t == "dropout" else 1.0) for t in bank.topics}
    items = build_smart_quiz(bank, seen, mastery, now=NOW, count=10, seed=1)
    assert Counter(i.topic for i in items)["dropout"] >= 8


def test_a_learner_who_has_seen_everything_gets_the_least_recently_seen(bank):
    entries = list(bank.entries)
    seen = {
        e.question.id: Seen(NOW - timedelta(days=4, hours=i), True) for i, e in enumerate(entries)
    }
    mastery = dict.fromkeys(bank.topics, 0.8)
    items = build_smart_quiz(bank, seen, mastery, now=NOW, count=10, seed=3)
    oldest_first = one_per_fact(sorted(entries, key=lambda e: seen[e.question.id].at))
    assert [i.question_id for i in items] == [e.question.id for e in oldest_first[:10]]


def test_unseen_questions_come_first_and_recent_right_answers_are_held_back(bank):
    unseen = {e.question.id for e in bank.entries if e.topic == "pooling_shapes"}
    seen = {
        e.question.id: Seen(NOW - timedelta(hours=5), True)
        for e in bank.entries
        if e.question.id not in unseen
    }
    items = build_smart_quiz(bank, seen, {}, now=NOW, count=len(unseen), seed=0)
    assert {i.question_id for i in items} <= unseen
    # With everything answered right an hour ago, questions still come (held back, not banned).
    everything = {e.question.id: Seen(NOW - timedelta(hours=1), True) for e in bank.entries}
    assert len(build_smart_quiz(bank, everything, {}, now=NOW, count=5, seed=0)) == 5


def test_difficulty_rises_with_mastery(bank):
    strong = build_smart_quiz(bank, {}, {"filters": 1.0}, now=NOW, topics=["filters"], count=5)
    weak = build_smart_quiz(bank, {}, {"filters": 0.0}, now=NOW, topics=["filters"], count=5)
    assert {i.difficulty for i in strong} == {3} and {i.difficulty for i in weak} == {1}


def test_records_smart_quiz_reads_the_learners_history(db, bank):
    import random

    learner = r.get_or_create_learner(db, "ann").id
    quiz = r.start_quiz(db, learner, "quiz", [])
    when = datetime.now(UTC) - timedelta(days=8)
    for e in bank.entries:
        item = make_item(e, random.Random(0))
        right = e.topic != "dropout"
        feedback = Feedback(correct=right, expected=item.key.expected, explanation="")
        r.record_attempt(db, quiz, item, "x", feedback, 1.0, when=when)
    r.finish_quiz(db, quiz)
    items = h.smart_quiz(db, bank, learner, count=10, seed=2)
    assert Counter(i.topic for i in items)["dropout"] >= 8


def test_cli_smart_quiz_asks_unseen_questions_first(tmp_path, good_dir, monkeypatch, capsys):
    import io
    import sqlite3
    import sys

    from kviz.cli import main

    db = tmp_path / "k.db"
    base = ["quiz", "--db", str(db), "--bank", str(good_dir), "--learner", "ann", "--count", "2"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("a\n"))
    assert main([*base, "--smart", "--seed", "0", "--count", "1"]) == 0
    first = sqlite3.connect(db).execute("SELECT prompt FROM attempts").fetchall()
    assert len(first) == 1 and first[0][0]
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    assert main([*base, "--smart", "--seed", "0", "--count", "1"]) == 0
    out = capsys.readouterr().out
    assert "[1/1]" in out and first[0][0] not in out  # the one just answered is not asked first
    assert main([*base, "--smart", "--difficulty", "1"]) == 2
    assert "--smart picks the difficulty" in capsys.readouterr().err
