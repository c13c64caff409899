"""The teacher's report on a class database: mastery, question statistics, labs.

Read through a teacher's (or the owner's) connection, which sees every learner's rows.
Discrimination is the point-biserial correlation, per question, between getting it right and
the share right on the rest of the same quiz: near 0 or negative, the question does not
separate learners who know the material from those who do not.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select

from kviz.store.database import Database
from kviz.store.models import AttemptRow, LabRunRow, LearnerRow
from kviz.store.stats import MASTERY_WINDOW

MOST_MISSED = 10
MIN_FOR_DISCRIMINATION = 5  # quizzes with the question and at least one other answer


@dataclass(frozen=True)
class TopicMastery:
    learner: str
    topic: str
    answers: int
    mastery: float  # share right of the last MASTERY_WINDOW answers in the topic


@dataclass(frozen=True)
class QuestionStat:
    question_id: str
    topic: str
    answers: int
    percent_right: float
    discrimination: float | None  # point-biserial vs the rest of the quiz; None: too few


@dataclass(frozen=True)
class LabStat:
    learner: str
    lab: str  # the settings that differ from the reference lab ("reference" if none),
    # then " [sample]" for runs on the offline sample, never grouped with full MNIST runs
    runs: int
    best_accuracy: float | None


@dataclass(frozen=True)
class ClassReport:
    learners: tuple[str, ...]
    mastery: tuple[TopicMastery, ...]
    questions: tuple[QuestionStat, ...]  # every question answered, by question id
    most_missed: tuple[QuestionStat, ...]
    labs: tuple[LabStat, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _discrimination(pairs: list[tuple[int, float]]) -> float | None:
    if len(pairs) < MIN_FOR_DISCRIMINATION:
        return None
    try:
        return round(statistics.correlation([x for x, _ in pairs], [y for _, y in pairs]), 3)
    except statistics.StatisticsError:  # everyone right (or wrong), or equal rest scores
        return None


def _lab_name(config: dict[str, Any]) -> str:
    from trainer.config import LabConfig

    reference = LabConfig().to_dict()
    changed = [f"{k}={v}" for k, v in sorted(config.items()) if reference.get(k, v) != v]
    return ", ".join(changed) or "reference"


def class_report(db: Database) -> ClassReport:
    """The report over every row this connection can read."""
    from trainer.data import data_kind

    with db.session() as s:
        names = dict(s.execute(select(LearnerRow.id, LearnerRow.name)).all())
        attempts = s.execute(
            select(
                AttemptRow.learner_id,
                AttemptRow.quiz_id,
                AttemptRow.question_id,
                AttemptRow.topic,
                AttemptRow.correct,
            ).order_by(AttemptRow.id)
        ).all()
        runs = s.execute(
            select(
                LabRunRow.learner_id, LabRunRow.config, LabRunRow.metrics, LabRunRow.source
            ).where(LabRunRow.cancelled.is_(False))
        ).all()
    per_topic: dict[tuple[str, str], list[bool]] = defaultdict(list)
    per_question: dict[str, list[bool]] = defaultdict(list)
    topic_of: dict[str, str] = {}
    per_quiz: dict[int, dict[str, bool]] = defaultdict(dict)
    for learner_id, quiz_id, qid, topic, correct in attempts:
        per_topic[(names[learner_id], topic)].append(bool(correct))
        per_question[qid].append(bool(correct))
        topic_of[qid] = topic
        per_quiz[quiz_id].setdefault(qid, bool(correct))  # the first answer in that quiz
    mastery = tuple(
        TopicMastery(
            learner,
            topic,
            len(marks),
            round(sum(marks[-MASTERY_WINDOW:]) / len(marks[-MASTERY_WINDOW:]), 3),
        )
        for (learner, topic), marks in sorted(per_topic.items())
    )
    pairs: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for quiz in per_quiz.values():
        if len(quiz) < 2:
            continue
        total = sum(quiz.values())
        for qid, right in quiz.items():
            pairs[qid].append((int(right), (total - right) / (len(quiz) - 1)))
    questions = tuple(
        QuestionStat(
            qid,
            topic_of[qid],
            len(marks),
            round(100 * sum(marks) / len(marks), 1),
            _discrimination(pairs[qid]),
        )
        for qid, marks in sorted(per_question.items())
    )
    missed = sorted(questions, key=lambda q: (q.percent_right, -q.answers, q.question_id))
    labs: dict[tuple[str, str], list[float | None]] = defaultdict(list)
    for learner_id, config, metrics, source in runs:
        who = names.get(learner_id, "(no learner)") if learner_id is not None else "(no learner)"
        accuracy = metrics.get("test_accuracy")
        sample = " [sample]" if data_kind(source or "") == "sample" else ""
        labs[(who, _lab_name(config) + sample)].append(
            float(accuracy) if isinstance(accuracy, int | float) else None
        )
    lab_stats = tuple(
        LabStat(who, lab, len(accs), max((a for a in accs if a is not None), default=None))
        for (who, lab), accs in sorted(labs.items())
    )
    return ClassReport(
        tuple(sorted(names.values())), mastery, questions, tuple(missed[:MOST_MISSED]), lab_stats
    )


def csv_rows(report: ClassReport) -> list[list[Any]]:
    """One table for a spreadsheet: a `section` column, then each section's own fields."""
    rows: list[list[Any]] = []
    for section, items in (
        ("mastery", report.mastery),
        ("question", report.questions),
        ("most_missed", report.most_missed),
        ("lab", report.labs),
    ):
        if not items:
            continue
        names = [f.name for f in fields(items[0])]
        rows.append(["section", *names])
        rows.extend([section, *(getattr(item, n) for n in names)] for item in items)
    return rows
