"""Counted nouns ("1 answer", "3 answers"), so every screen and the CLI say counts the same way."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one: count(1, "answer") == "1 answer"."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
