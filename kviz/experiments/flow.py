"""One experiment from prediction to explanation, Qt-free, for the app and the CLI alike.

Predict: the experiment's bank question, answered and graded like a quiz answer, and kept
as an attempt of an "experiment" session. Run: the trainer's runs (saved one by one by the
caller). Explain: the learner's numbers, whether the prediction held on them, and the
questions about their own runs, recorded in the same session but not scheduled for review.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from kviz.bank.loader import Bank, BankEntry, load_bank
from kviz.experiments.guides import guide, held, observed_choice
from kviz.quiz.answers import Answer, parse_answer
from kviz.quiz.grading import Feedback, grade
from kviz.quiz.items import QuizItem, make_item
from kviz.store.database import Database
from kviz.store.records import finish_quiz, record_attempt, start_quiz

Finding = Mapping[str, Any]


def prediction_item(
    experiment_id: str,
    bank: Bank | None = None,
    seed: int | None = None,
    in_bank_order: bool = False,
) -> QuizItem:
    """The experiment's prediction question, drawn for one showing (the options shuffled,
    unless `in_bank_order`: the CLI, where a letter is typed before anything is shown)."""
    question_id = guide(experiment_id).prediction
    entry = (bank or load_bank()).get(question_id)
    if entry is None:
        raise LookupError(f"the bank has no question {question_id} for experiment {experiment_id}")
    if in_bank_order and hasattr(entry.question, "shuffle"):
        question = entry.question.model_copy(update={"shuffle": False})
        entry = BankEntry(entry.topic, question, entry.file, entry.line)
    return make_item(entry, random.Random(seed))


def grade_prediction(item: QuizItem, text: str) -> tuple[Answer, Feedback]:
    """The typed prediction read and graded (AnswerFormatError, a ValueError, with a hint)."""
    answer = parse_answer(item, text)
    return answer, grade(item, answer)


def record_prediction(
    db: Database,
    learner_id: int,
    item: QuizItem,
    answer: Answer,
    feedback: Feedback,
    seconds: float = 0.0,
) -> int:
    """Open the experiment's session and keep the prediction as its first attempt; its id."""
    quiz_id = start_quiz(db, learner_id, "experiment", [item.topic])
    record_attempt(db, quiz_id, item, answer.canonical, feedback, seconds)
    return quiz_id


def record_own_answer(
    db: Database, quiz_id: int, item: QuizItem, answer: Answer, feedback: Feedback, seconds: float
) -> None:
    """Keep an answer to a question about the learner's own runs (not scheduled for review)."""
    record_attempt(db, quiz_id, item, answer.canonical, feedback, seconds, schedule=False)


def close_session(db: Database, quiz_id: int) -> None:
    finish_quiz(db, quiz_id)


def explain(experiment_id: str, finding: Finding) -> str:
    """The explanation quoting the learner's numbers ('' when no run finished)."""
    return guide(experiment_id).explain(finding) if finding else ""


def verdict(experiment_id: str, item: QuizItem, answer: Answer, finding: Finding) -> str:
    """Whether the prediction held on the learner's own runs, in a sentence."""
    g = guide(experiment_id)
    outcome = held(g, item, answer, finding) if finding else None
    if outcome is None:
        return (
            "Your runs do not clearly match any of the options (a cancelled or unusual run?): "
            "compare them with the reference below."
        )
    if outcome:
        return "Your prediction held: your own runs show what you predicted."
    return f"Your prediction did not hold. Your runs show: {observed_choice(g, item, finding)}"
