"""Counts read right: one answer, two answers, and the thousands separated."""

from kviz.wording import count


def test_count_is_singular_only_for_one():
    assert count(1, "answer") == "1 answer"
    assert count(0, "answer") == "0 answers"
    assert count(2, "recent answer") == "2 recent answers"
    assert count(1200, "question") == "1,200 questions"
    assert count(3, "quiz", "quizzes") == "3 quizzes"
