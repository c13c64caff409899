"""The frozen dataclasses that kviz.store hands out instead of ORM rows (safe across threads).

Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kviz.quiz.scoring import TopicScore


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime


@dataclass(frozen=True)
class AttemptRecord:
    """One answer as it was given, with what was shown (None for attempts before 0004)."""

    uid: str
    learner: str
    quiz_id: int
    answered_at: datetime
    topic: str
    question_id: str
    answer_given: str  # in the bank's terms (bank letters, "true", 80, text)
    correct: bool
    seconds: float
    prompt: str | None  # with the drawn numbers filled in
    choices: tuple[str, ...] | None  # in the order shown
    drawn_values: Mapping[str, Any] | None
    expected: str | None  # the right answer as shown

    def answer_shown(self, bank_choices: Sequence[str] | None = None) -> str:
        """The answer in the terms the learner saw: for a choice question, the letters and
        texts in the order shown ("b) Max pooling"); the stored bank letters otherwise.

        `bank_choices` are the question's choices in the bank's order (from the bank)."""
        if not self.choices or not bank_choices:
            return self.answer_given
        picked = []
        for letter in self.answer_given.split(","):
            index = ord(letter.strip()) - ord("a")
            if not 0 <= index < len(bank_choices) or bank_choices[index] not in self.choices:
                return self.answer_given  # the bank changed since: show what was stored
            shown = self.choices.index(bank_choices[index])
            picked.append(f"{chr(ord('a') + shown)}) {self.choices[shown]}")
        return "; ".join(sorted(picked))


@dataclass(frozen=True)
class QuizSummary:
    quiz_id: int
    learner_id: int
    mode: str  # quiz | review
    topics: tuple[str, ...]  # the topics asked for; () means all
    started_at: datetime
    finished_at: datetime | None  # None: never finished (e.g. the app was closed)
    correct: int
    total: int  # answered questions
    seconds: float  # time spent answering
    per_topic: tuple[TopicScore, ...]
    planned: int | None = None  # questions in the quiz; None on sessions from before 0006

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def left_early(self) -> bool:
        """Closed before every planned question was answered (or never closed at all)."""
        return self.finished_at is None or (self.planned is not None and self.total < self.planned)

    def outcome(self) -> str:
        """One line for Home and the CLI: "7/10 right (70%)" or "left early, 1 of 10 answered"."""
        if self.left_early:
            if self.planned is not None:
                return f"left early, {self.total} of {self.planned} answered ({self.correct} right)"
            return f"left early, {self.total} answered ({self.correct} right)"
        return f"{self.correct}/{self.total} right ({self.accuracy:.0%})"


@dataclass(frozen=True)
class TopicStats:
    topic: str
    attempts: int  # all time
    correct: int  # all time
    recent: int  # attempts in the mastery window (at most MASTERY_WINDOW)
    mastery: float | None  # accuracy over the recent attempts; None before any attempt
    trend: float | None  # recent half minus earlier half of the window; None under 4 attempts
    due: int  # review questions of this topic due now


@dataclass(frozen=True)
class LearnerStats:
    learner: Learner
    attempts: int
    correct: int
    topics: tuple[TopicStats, ...]  # sorted by topic id
    due: int  # review questions due now, all topics
    day_streak: int  # consecutive local days with an answer, up to today (or yesterday)
    right_streak: int  # right answers in a row, counting back from the latest
    last_active: datetime | None


@dataclass(frozen=True)
class LabRun:
    id: int
    learner_id: int | None
    created_at: datetime
    config: Mapping[str, Any]  # trainer LabConfig.to_dict()
    source: str
    history: tuple[Mapping[str, Any], ...]  # per-epoch metrics
    metrics: Mapping[str, Any]  # test_accuracy, test_loss, params, n_train, n_test, ...
    duration_s: float  # fit_seconds
    cancelled: bool
    uid: str = ""  # stable id; also names the run's saved model (kviz.store.run_models)

    @property
    def test_accuracy(self) -> float | None:
        value = self.metrics.get("test_accuracy")
        return None if value is None else float(value)

    @property
    def gap(self) -> float | None:
        """The train-test gap (Keras' validation data is the test set) as the trainer computed
        it (RunResult.gap, saved)."""
        value = self.metrics.get("gap")
        return None if value is None else float(value)

    def as_result_dict(self) -> dict[str, Any]:
        """The RunResult.to_dict() shape it was saved from."""
        return {
            **self.metrics,
            "config": dict(self.config),
            "history": [dict(h) for h in self.history],
            "source": self.source,
            "fit_seconds": self.duration_s,
            "cancelled": self.cancelled,
        }
