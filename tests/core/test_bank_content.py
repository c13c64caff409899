"""The installed bank's content can't be gamed: keys are not given away by their length, no
two questions recompute the same thing, thin topics are filled, and numbers that come from a
training run say which run they come from."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest

from kviz.bank.generators import GENERATORS
from kviz.bank.loader import load_bank

MAX_LONGEST_KEY = 0.35  # the ceiling; 1/len(choices) (25%) is what chance gives
MIN_LONGEST_KEY = 0.10  # below this "never pick the longest" would become a winning trick
MIN_PER_TOPIC = 24
MIN_TOTAL = 260

# A timing ("14.5 s") or an accuracy with decimals ("96.35%") is a measurement.
MEASUREMENT = re.compile(r"\b\d+(?:\.\d+)? s\b|\b\d{2}\.\d+ ?%")
NAMES_ITS_RUN = re.compile(r"\b(?:measured|reference|one|that) runs?\b|\bseeds? \d", re.IGNORECASE)


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def longest_key_rate(bank) -> tuple[int, int]:
    """How many single-choice questions have the key as their unique longest choice."""
    singles = [e.question for e in bank.entries if e.question.type == "single"]
    longest = 0
    for q in singles:
        key = "abcdef".index(q.answer)
        lengths = [len(c) for c in q.choices]
        longest += all(lengths[key] > n for i, n in enumerate(lengths) if i != key)
    return longest, len(singles)


def test_the_key_is_not_given_away_by_its_length(bank):
    longest, singles = longest_key_rate(bank)
    rate = longest / singles
    assert MIN_LONGEST_KEY <= rate <= MAX_LONGEST_KEY, f"{longest}/{singles} = {rate:.0%}"


def test_no_two_questions_share_a_check(bank):
    by_check: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in bank.entries:
        q = e.question
        if q.type == "numeric":
            key = (q.check.generator, json.dumps(q.check.params, sort_keys=True))
            by_check[key].append(q.id)
    assert {k: ids for k, ids in by_check.items() if len(ids) > 1} == {}


def test_one_over_keep_is_asked_in_few_places(bank):
    """1 / (1 - rate) once filled nine questions; a fact is asked from at most two angles."""
    uses = [
        e.question.id
        for e in bank.entries
        if getattr(e.question, "generator", None) == "dropout_scale"
        or (e.question.type == "numeric" and e.question.check.generator == "dropout_scale")
    ]
    assert len(uses) <= 3, uses


def test_every_topic_is_filled(bank):
    counts = Counter(e.topic for e in bank.entries)
    assert len(bank.entries) >= MIN_TOTAL
    assert {t: n for t, n in counts.items() if n < MIN_PER_TOPIC} == {}


def test_every_generator_is_used_by_the_bank(bank):
    used = set()
    for e in bank.entries:
        q = e.question
        if q.type == "computed":
            used.add(q.generator)
        elif q.type == "numeric":
            used.add(q.check.generator)
    cnn = {name for name, g in GENERATORS.items() if not g.open_params}  # not `formula`
    assert cnn - used == set()


def _texts(q) -> str:
    parts = [q.prompt, q.explanation, *getattr(q, "choices", ())]
    return " ".join(parts)


def test_measured_numbers_name_their_run(bank):
    """Accuracies and timings from a training run are stated as that run's, never as facts."""
    unnamed = [
        (e.question.id, MEASUREMENT.search(_texts(e.question)).group())  # type: ignore[union-attr]
        for e in bank.entries
        if MEASUREMENT.search(_texts(e.question)) and not NAMES_ITS_RUN.search(_texts(e.question))
    ]
    assert unnamed == []


def test_every_built_in_numeric_answer_is_recomputed_by_a_generator(bank):
    """Imported questions may lack a `check`; the built-in bank's never do."""
    unchecked = [e.question.id for e in bank.entries if e.question.type == "numeric"]
    unchecked = [q for q in unchecked if bank.get(q).question.check is None]
    assert unchecked == []
