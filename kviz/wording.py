"""Counts ("1 answer", "3 answers"), due times ("in 3 hours") and durations ("1:05"), said the
same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one: count(1, "answer") == "1 answer"."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def clock(seconds: float) -> str:
    """A duration as minutes:seconds ("1:05"), negative as "0:00": progress lines and ETAs."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def when_due(due: datetime | None, now: datetime | None = None) -> str:
    """When review brings questions back, in words: "now", "in 10 minutes", "in 3 hours (14:05)",
    "on 2 Dec"; `due` is aware UTC as records.next_due gives it."""
    if due is None:
        return "nothing is scheduled yet"
    now = now or datetime.now(UTC)
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return f"in {count(max(1, round(seconds / 60)), 'minute')}"
    local = due.astimezone()
    if seconds < 24 * 3600:
        return f"in {count(round(seconds / 3600), 'hour')} ({local:%H:%M})"
    return f"on {local.day} {local:%b %H:%M}"


def nothing_due(due: datetime | None, now: datetime | None = None) -> str:
    """The sentence for an empty review: when the next question comes back, if any is set."""
    if due is None:
        return "Nothing is due for review, and nothing is scheduled yet."
    return f"Nothing is due for review; the next question is due {when_due(due, now)}."
