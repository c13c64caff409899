"""Figures that tell whether a bank can be gamed, reported by `kviz bank check`.

A learner who always picks the longest choice should score no better than chance, and no
two questions should recompute the same thing under different ids.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from kviz.bank.loader import Bank

MAX_LONGEST_KEY = 0.35  # above this, "pick the longest choice" beats chance by too much


@dataclass(frozen=True)
class Quality:
    longest_key: int  # single-choice questions whose key is the unique longest choice
    singles: int  # single-choice questions
    repeated_checks: tuple[tuple[str, ...], ...]  # ids of questions sharing one check

    @property
    def longest_key_rate(self) -> float:
        return self.longest_key / self.singles if self.singles else 0.0

    def warnings(self) -> list[str]:
        """One line per figure out of bounds."""
        out = []
        if self.longest_key_rate > MAX_LONGEST_KEY:
            out.append(
                f"the key is the longest choice in {self.longest_key} of {self.singles} "
                f"single-choice questions ({self.longest_key_rate:.0%}, above "
                f"{MAX_LONGEST_KEY:.0%}): write distractors as long as the key"
            )
        for ids in self.repeated_checks:
            out.append(f"questions {', '.join(ids)} compute the same check")
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "longest_key": self.longest_key,
            "singles": self.singles,
            "longest_key_rate": round(self.longest_key_rate, 4),
            "repeated_checks": len(self.repeated_checks),
            "repeated_check_ids": [list(ids) for ids in self.repeated_checks],
        }


def quality(bank: Bank) -> Quality:
    """The longest-key count and the groups of questions with the same generator check."""
    longest = singles = 0
    by_check: dict[str, list[str]] = defaultdict(list)
    for entry in bank.entries:
        q = entry.question
        if q.type == "single":
            singles += 1
            key = next(iter(q.correct))
            lengths = [len(c) for c in q.choices]
            longest += all(lengths[key] > n for i, n in enumerate(lengths) if i != key)
        elif q.type == "numeric" and q.check is not None:
            by_check[json.dumps([q.check.generator, q.check.params], sort_keys=True)].append(q.id)
    repeats = tuple(tuple(ids) for ids in by_check.values() if len(ids) > 1)
    return Quality(longest, singles, repeats)
