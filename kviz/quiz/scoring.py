"""Scores of a set of answers, overall and per topic (used by QuizRun and the records)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TopicScore:
    topic: str
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    per_topic: tuple[TopicScore, ...]  # in the order topics were first answered

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score(results: Iterable[tuple[str, bool]]) -> Score:
    """Count (topic, correct) pairs into an overall and a per-topic score."""
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for topic, correct in results:
        total[topic] = total.get(topic, 0) + 1
        right[topic] = right.get(topic, 0) + int(correct)
    per_topic = tuple(TopicScore(t, right[t], total[t]) for t in total)
    return Score(sum(right.values()), sum(total.values()), per_topic)
