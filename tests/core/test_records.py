"""The records: learners, quizzes, attempts, stats and lab runs, each its own transaction."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest

from kviz.quiz.answers import parse_answer
from kviz.quiz.engine import QuizError, QuizRun, build_quiz, build_review
from kviz.quiz.items import make_item
from kviz.store import lab_runs as lr
from kviz.store import records as r
from kviz.store.stats import MASTERY_WINDOW


def play(db, bank, learner_id, answers, mode="quiz", seed=0):
    """Answer the fixture bank's questions in a fixed order: True = right, False = wrong."""
    quiz = r.start_quiz(db, learner_id, mode, ["filters"])
    for qid, right in answers:
        item = make_item(bank.get(qid), random.Random(seed))
        raw = {"filters-002": ("false", "true"), "filters-003": ("80", "81")}[qid][not right]
        answer = parse_answer(item, raw)
        run = QuizRun([item])
        r.record_attempt(db, quiz, item, answer.canonical, run.submit(answer, 2.5), 2.5)
    return r.finish_quiz(db, quiz)


def test_learners(db):
    assert r.last_learner(db) is None
    ann = r.get_or_create_learner(db, " ann ")
    bob = r.get_or_create_learner(db, "bob")
    assert ann.name == "ann" and r.last_learner(db) == bob
    again = r.get_or_create_learner(db, "ann")
    assert again.id == ann.id and r.last_learner(db).id == ann.id
    assert [x.name for x in r.list_learners(db)] == ["ann", "bob"]
    with pytest.raises(ValueError):
        r.get_or_create_learner(db, "  ")


def test_quiz_summary_scores_per_topic(db, bank):
    ann = r.get_or_create_learner(db, "ann")
    summary = play(db, bank, ann.id, [("filters-002", True), ("filters-003", False)])
    assert (summary.correct, summary.total, summary.seconds) == (1, 2, 5.0)
    assert summary.per_topic[0].topic == "filters" and summary.per_topic[0].accuracy == 0.5
    assert summary.finished_at is not None and summary.mode == "quiz"
    assert r.recent_quizzes(db, ann.id) == [summary]


def test_quiz_left_early_reads_as_left_early(db, bank):
    ann = r.get_or_create_learner(db, "ann")
    quiz = r.start_quiz(db, ann.id, "quiz", ["filters"], planned=10)
    item = make_item(bank.get("filters-002"), random.Random(0))
    answer = parse_answer(item, "false")
    r.record_attempt(db, quiz, item, answer.canonical, QuizRun([item]).submit(answer, 1.0), 1.0)
    summary = r.finish_quiz(db, quiz)
    assert summary.left_early and summary.planned == 10
    assert summary.outcome() == "left early, 1 of 10 answered (1 right)"
    assert r.recent_quizzes(db, ann.id)[0].outcome() == summary.outcome()
    full = play(db, bank, ann.id, [("filters-002", True)])
    assert not full.left_early and full.outcome() == "1/1 right (100%)"


def test_quiz_closed_with_no_answer_is_not_kept(db):
    ann = r.get_or_create_learner(db, "ann")
    quiz = r.start_quiz(db, ann.id, "review", [], planned=3)
    summary = r.finish_quiz(db, quiz)
    assert summary.total == 0 and r.recent_quizzes(db, ann.id) == []


def test_stats_mastery_trend_and_streaks(db, bank):
    ann = r.get_or_create_learner(db, "ann")
    # 10 wrong then 10 right: the window's recent half is all right, the older half all wrong
    play(db, bank, ann.id, [("filters-003", False)] * 10 + [("filters-002", True)] * 10)
    stats = r.learner_stats(db, ann.id)
    (topic,) = stats.topics
    assert (topic.attempts, topic.correct, topic.recent) == (20, 10, MASTERY_WINDOW)
    assert topic.mastery == 0.5 and topic.trend == 1.0
    assert stats.right_streak == 10 and stats.day_streak == 1
    assert (stats.attempts, stats.correct) == (20, 10)
    days = r.attempts_per_day(db, ann.id, days=7)
    assert len(days) == 7 and days[-1][1:] == (20, 10)


def test_stats_of_a_new_learner(db):
    stats = r.learner_stats(db, r.get_or_create_learner(db, "new").id)
    assert (stats.attempts, stats.topics, stats.day_streak, stats.last_active) == (0, (), 0, None)


def test_day_streak_counts_consecutive_local_days(db, bank):
    ann = r.get_or_create_learner(db, "ann")
    quiz = r.start_quiz(db, ann.id, "quiz", [])
    item = make_item(bank.get("filters-002"), random.Random(0))
    answer = parse_answer(item, "false")
    now = datetime.now(UTC)
    for days_ago in (1, 2, 4):  # yesterday and the day before, then a gap
        when = now - timedelta(days=days_ago)
        r.record_attempt(db, quiz, item, "false", QuizRun([item]).submit(answer, 1), 1, when=when)
    assert r.learner_stats(db, ann.id).day_streak == 2


def test_build_quiz_filters_and_errors(bank):
    items = build_quiz(bank, difficulties=[1], count=50, seed=4)
    assert {i.difficulty for i in items} == {1} and len(items) == 3
    assert build_quiz(bank, count=3, seed=1) == build_quiz(bank, count=3, seed=1)
    with pytest.raises(QuizError, match="unknown topic dropout"):
        build_quiz(bank, topics=["dropout"])
    with pytest.raises(QuizError):
        build_quiz(bank, count=0)
    review = build_review(bank, ["gone-001", "filters-003", "filters-002"], count=1)
    assert [i.question_id for i in review] == ["filters-003"]


RESULT = {
    "config": {"filters": 8, "kernel": 3, "epochs": 1},
    "history": [{"epoch": 1, "loss": 0.3, "accuracy": 0.9, "val_loss": 0.2, "val_accuracy": 0.93}],
    "test_accuracy": 0.94,
    "test_loss": 0.21,
    "fit_seconds": 12.5,
    "params": 13_610,
    "n_train": 60_000,
    "n_test": 10_000,
    "source": "folder /data/mnist",
    "predictions": [{"index": 0, "label": 7, "truth": 7, "probabilities": [0.1] * 10}],
    "confusion": [[0] * 10 for _ in range(10)],
    "cancelled": False,
}


def test_lab_runs_round_trip(db):
    ann = r.get_or_create_learner(db, "ann")
    first = lr.save_lab_run(db, ann.id, RESULT)
    second = lr.save_lab_run(db, None, RESULT | {"cancelled": True})
    runs = lr.list_lab_runs(db)
    assert [x.id for x in runs] == [first, second]
    assert runs[0].as_result_dict() == RESULT and runs[0].test_accuracy == 0.94
    assert runs[1].cancelled and [x.id for x in lr.list_lab_runs(db, ann.id)] == [first]
    with pytest.raises(ValueError, match="JSON"):
        lr.save_lab_run(db, None, RESULT | {"model": object()})
    with pytest.raises(ValueError, match="config"):
        lr.save_lab_run(db, None, {"history": []})


def test_records_from_several_threads(db, bank):
    ann = r.get_or_create_learner(db, "ann")
    errors = []

    def worker():
        try:
            play(db, bank, ann.id, [("filters-002", True)] * 5)
        except Exception as e:  # collected, then asserted empty
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and r.learner_stats(db, ann.id).attempts == 20


def test_learner_names_are_one_per_person_and_printable(db):
    """NFC/NFD and case make one learner; control characters and escapes never get stored."""
    import unicodedata

    from kviz.store.records import find_learner, get_or_create_learner, list_learners

    nfc = get_or_create_learner(db, unicodedata.normalize("NFC", "Zoé"))
    nfd = get_or_create_learner(db, unicodedata.normalize("NFD", "zoé"))
    assert nfd.id == nfc.id and len(list_learners(db)) == 1
    evil = get_or_create_learner(db, "Eve\x1b[2J\x1b]0;pwned\x07\u202e\r\nX")
    assert evil.name == "Eve[2J]0;pwned X"
    assert all(ch.isprintable() for ch in evil.name)
    assert find_learner(db, "ZOÉ").id == nfc.id and find_learner(db, "nobody") is None


def test_names_stored_by_an_older_kviz_print_clean(db):
    from sqlalchemy import text

    from kviz.store.records import last_learner

    with db.session() as s:
        s.execute(
            text(
                "INSERT INTO learners (name, created_at, last_used_at)"
                " VALUES ('a\x1b[31mb', '2026-01-01', '2026-01-01')"
            )
        )
    assert last_learner(db).name == "a[31mb"
