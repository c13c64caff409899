"""`kviz bank check` reports the longest-key rate and repeated checks; quizzes draw one
question per same-fact group."""

from __future__ import annotations

import json

import pytest

from kviz.bank.loader import load_bank
from kviz.bank.quality import quality
from kviz.cli import main
from kviz.quiz.engine import build_quiz

SINGLE = """
  - id: {id}
    type: single
    difficulty: 1
    prompt: Which one?
    choices: [{choices}]
    answer: {answer}
    explanation: Because.
"""
NUMERIC = """
  - id: {id}
    type: numeric
    difficulty: 1
    prompt: How many?
    answer: 80
    explanation: 8 x 10.
    check: {{generator: conv_params, params: {{kernel: 3, in_channels: 1, filters: 8}}}}
"""


def write_topic(path, body: str) -> str:
    path.write_text(f"topic: t\ntitle: T\nquestions:{body}", encoding="utf-8")
    return str(path)


def test_longest_key_and_repeated_checks_are_counted(tmp_path, capsys):
    body = SINGLE.format(id="t-1", choices="short, the much longer key", answer="b")
    body += SINGLE.format(id="t-2", choices="a long distractor, key", answer="b")
    body += SINGLE.format(id="t-3", choices="same, size", answer="a")
    body += NUMERIC.format(id="t-4") + NUMERIC.format(id="t-5")
    path = write_topic(tmp_path / "t.yaml", body)
    figures = quality(load_bank([path]))
    assert (figures.longest_key, figures.singles) == (1, 3)
    assert figures.repeated_checks == (("t-4", "t-5"),)

    assert main(["bank", "check", "--json", path]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)["quality"]
    assert report["longest_key"] == 1 and report["repeated_checks"] == 1
    assert "t-4, t-5 compute the same check" in captured.err


def test_a_bank_that_gives_keys_away_is_warned_about(tmp_path, capsys):
    body = "".join(
        SINGLE.format(id=f"t-{i}", choices="nope, the long key", answer="b") for i in range(3)
    )
    assert main(["bank", "check", write_topic(tmp_path / "t.yaml", body)]) == 0
    captured = capsys.readouterr()
    assert "3 of 3 single-choice (100%)" in captured.out
    assert "above 35%" in captured.err


@pytest.mark.parametrize("seed", range(20))
def test_a_quiz_draws_one_question_per_same_fact_group(tmp_path, seed):
    body = "".join(
        SINGLE.format(id=f"t-{i}", choices="x, y", answer="a")
        + ("    same_fact: one-fact\n" if i < 3 else "")
        for i in range(6)
    )
    bank = load_bank([write_topic(tmp_path / "t.yaml", body)])
    ids = [item.question_id for item in build_quiz(bank, count=6, seed=seed)]
    assert len(ids) == 4  # three of the six share a fact: only one of them is drawn
    assert sum(i in ("t-0", "t-1", "t-2") for i in ids) == 1


def test_the_installed_bank_groups_same_fact_questions():
    bank = load_bank()
    groups = [e.question.same_fact for e in bank.entries if e.question.same_fact]
    assert groups and all(groups.count(g) >= 2 for g in groups)
