"""FSRS review: a wrong answer comes back soon, right answers push the question out."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from kviz.quiz.answers import parse_answer
from kviz.quiz.grading import grade
from kviz.quiz.items import make_item
from kviz.quiz.scheduling import review
from kviz.store.records import (
    due_question_ids,
    get_or_create_learner,
    learner_stats,
    record_attempt,
    start_quiz,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_wrong_is_due_within_minutes_right_is_due_in_days():
    _, due_wrong = review(None, False, T0)
    card, due_right = review(None, True, T0)
    assert due_wrong - T0 <= timedelta(minutes=10)
    assert due_right - T0 >= timedelta(days=1)
    _, due_again = review(card, True, due_right)
    assert due_again - due_right > due_right - T0  # each right answer pushes it further


def test_a_lapse_brings_a_learned_question_back_soon():
    card, due = review(None, True, T0)
    card, due = review(card, True, due)
    _, lapse_due = review(card, False, due)
    assert lapse_due - due <= timedelta(minutes=10)


def test_card_state_is_plain_json_data():
    import json

    card, _ = review(None, True, T0)
    assert json.loads(json.dumps(card)) == card


def answer(db, quiz_id, bank, qid, raw, when):
    item = make_item(bank.get(qid), random.Random(0))
    parsed = parse_answer(item, raw)
    record_attempt(db, quiz_id, item, parsed.canonical, grade(item, parsed), 3.0, when=when)


def test_review_queue_in_the_records(db, bank):
    learner = get_or_create_learner(db, "ann")
    quiz = start_quiz(db, learner.id, "quiz", [])
    answer(db, quiz, bank, "filters-002", "true", T0)  # wrong
    answer(db, quiz, bank, "filters-003", "80", T0)  # right
    assert due_question_ids(db, learner.id, T0) == []
    soon = T0 + timedelta(minutes=11)
    assert due_question_ids(db, learner.id, soon) == ["filters-002"]
    later = T0 + timedelta(days=30)
    assert due_question_ids(db, learner.id, later) == ["filters-002", "filters-003"]
    stats = learner_stats(db, learner.id, now=soon)
    assert stats.due == 1 and stats.topics[0].due == 1
    answer(db, quiz, bank, "filters-002", "false", soon)  # now right: pushed out
    assert due_question_ids(db, learner.id, soon + timedelta(hours=1)) == []
