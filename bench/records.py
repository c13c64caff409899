"""Benchmark of the learner records at 100,000 attempts: recording one answer and `kviz stats`.

Targets on the development machine: record_attempt p99 <= 5 ms, learner_stats <= 50 ms.
Run: .venv/bin/python bench/records.py [--attempts N] [--records N] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from kviz.quiz.grading import Feedback
from kviz.quiz.items import AnswerKey, QuizItem
from kviz.quiz.scheduling import review
from kviz.store.database import open_database
from kviz.store.models import AttemptRow, DailyCountRow, QuizSessionRow, ReviewStateRow
from kviz.store.records import get_or_create_learner, learner_stats, record_attempt, start_quiz
from questions import bank_files

TOPICS = [path.stem for path in bank_files()]  # the installed bank's topic ids


def fill(db, learner_id: int, n: int, rng: random.Random) -> None:
    """n attempts over a year of quizzes of 20 questions, plus their review states."""
    questions = [(f"{t}-{i:03d}", t) for t in TOPICS for i in range(25)]
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=365)
    step = timedelta(days=365) / n
    with db.session() as s:
        quizzes = [
            {
                "learner_id": learner_id,
                "mode": "quiz",
                "topics": [],
                "started_at": start + step * i * 20,
                "finished_at": start + step * (i * 20 + 19),
            }
            for i in range(n // 20)
        ]
        s.execute(insert(QuizSessionRow), quizzes)
        rows = []
        for i in range(n):
            qid, topic = rng.choice(questions)
            rows.append(
                {
                    "quiz_id": i // 20 + 1,
                    "learner_id": learner_id,
                    "question_id": qid,
                    "topic": topic,
                    "answer_given": "a",
                    "correct": rng.random() < 0.7,
                    "seconds": rng.uniform(2, 30),
                    "answered_at": start + step * i,
                }
            )
        s.execute(insert(AttemptRow), rows)
        daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            day = row["answered_at"].replace(tzinfo=UTC).astimezone().date()
            daily[(day, row["topic"])][0] += 1
            daily[(day, row["topic"])][1] += int(row["correct"])
        s.execute(
            insert(DailyCountRow),
            [
                {"learner_id": learner_id, "day": d, "topic": t, "attempts": n, "correct": c}
                for (d, t), (n, c) in daily.items()
            ],
        )
        states = []
        for qid, topic in questions:
            card, due = review(None, rng.random() < 0.7, start.replace(tzinfo=UTC))
            states.append(
                {
                    "learner_id": learner_id,
                    "question_id": qid,
                    "topic": topic,
                    "card": card,
                    "due": due.replace(tzinfo=None),
                    "reps": 1,
                    "lapses": 0,
                    "updated_at": start,
                }
            )
        s.execute(insert(ReviewStateRow), states)


def item(qid: str, topic: str) -> QuizItem:
    return QuizItem(
        qid,
        topic,
        "single",
        1,
        "?",
        ("x", "y"),
        None,
        {},
        None,
        "because",
        AnswerKey(correct=frozenset({0}), choice_order=(0, 1), expected="a) x"),
    )


def ms(seconds: list[float], q: float) -> float:
    return statistics.quantiles(seconds, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1000, help="answers to time")
    parser.add_argument("--stats", type=int, default=30, help="stats computations to time")
    parser.add_argument("--db", help="database file (default: a temporary one)")
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or str(Path(tmp) / "bench.db")
        db = open_database(path)
        learner = get_or_create_learner(db, "bench")
        t0 = time.perf_counter()
        fill(db, learner.id, args.attempts, rng)
        print(f"filled {args.attempts:,} attempts in {time.perf_counter() - t0:.1f} s ({path})")
        quiz = start_quiz(db, learner.id, "quiz", [])
        record_times, record_cpu = [], []
        for i in range(args.records):
            topic = TOPICS[i % len(TOPICS)]
            it = item(f"{topic}-{rng.randrange(30):03d}", topic)
            fb = Feedback(rng.random() < 0.7, "a) x", "because")
            t, cpu = time.perf_counter(), time.thread_time()
            record_attempt(db, quiz, it, "a", fb, 3.0)
            record_times.append(time.perf_counter() - t)
            record_cpu.append(time.thread_time() - cpu)
        stats_times, stats_cpu = [], []
        for _ in range(args.stats):
            t, cpu = time.perf_counter(), time.thread_time()
            stats = learner_stats(db, learner.id)
            stats_times.append(time.perf_counter() - t)
            stats_cpu.append(time.thread_time() - cpu)
        db.close()
    print(
        f"record_attempt ({args.records} answers): p50 {ms(record_times, 50):.2f} ms, "
        f"p95 {ms(record_times, 95):.2f} ms, p99 {ms(record_times, 99):.2f} ms"
        " (target p99 <= 5 ms)"
    )
    print(
        f"record_attempt CPU time of this thread: p50 {ms(record_cpu, 50):.2f} ms,"
        f" p99 {ms(record_cpu, 99):.2f} ms (wall minus this = waiting for a CPU or the disk)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"learner_stats  ({args.stats} runs, {stats.attempts:,} attempts): "
        f"p50 {ms(stats_times, 50):.1f} ms, max {max(stats_times) * 1000:.1f} ms "
        f"(target <= 50 ms); CPU time p50 {ms(stats_cpu, 50):.1f} ms"
    )


if __name__ == "__main__":
    main()
