"""Counts read right: one answer, two answers, and the thousands separated."""

from kviz.wording import count


def test_count_is_singular_only_for_one():
    assert count(1, "answer") == "1 answer"
    assert count(0, "answer") == "0 answers"
    assert count(2, "recent answer") == "2 recent answers"
    assert count(1200, "question") == "1,200 questions"
    assert count(3, "quiz", "quizzes") == "3 quizzes"


def test_when_due_in_words():
    from datetime import UTC, datetime, timedelta

    from kviz.wording import when_due

    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert when_due(None, now) == "nothing is scheduled yet"
    assert when_due(now - timedelta(seconds=5), now) == "now"
    assert when_due(now + timedelta(minutes=1), now) == "in 1 minute"
    assert when_due(now + timedelta(minutes=10), now) == "in 10 minutes"
    in3 = now + timedelta(hours=3)
    assert when_due(in3, now) == f"in 3 hours ({in3.astimezone():%H:%M})"
    assert when_due(now + timedelta(days=4), now).startswith("on ")


def test_an_empty_review_is_one_readable_sentence():
    from datetime import UTC, datetime, timedelta

    from kviz.wording import nothing_due

    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert nothing_due(None, now) == "Nothing is due for review, and nothing is scheduled yet."
    assert nothing_due(now + timedelta(minutes=10), now).endswith("is due in 10 minutes.")
