"""MNIST pixels are named one way everywhere: 0 is background, 255 the pen stroke, and Kviz
shows them black on white; no question calls 255 "white" (the Data step shows it black)."""

from __future__ import annotations

import re

from kviz.bank.loader import load_bank

CONTRADICTS_THE_LAB = re.compile(r"white pixel|pure white|black background|white paper|black ink")


def _texts(entry) -> list[str]:
    q = entry.question
    return [q.prompt, q.explanation, *[str(c) for c in getattr(q, "choices", None) or []]]


def test_no_question_calls_the_pen_stroke_white():
    bad = [
        e.question.id
        for e in load_bank().entries
        if any(map(CONTRADICTS_THE_LAB.search, _texts(e)))
    ]
    assert bad == []


def test_norm_025_and_the_data_step_use_the_same_words():
    from kviz.ui.lab_steps.data_step import EXPLANATION

    (entry,) = [e for e in load_bank().entries if e.question.id == "norm-025"]
    assert "pen-stroke pixel (255" in entry.question.prompt
    assert "0 = background" in EXPLANATION and "255 = the pen stroke" in EXPLANATION
    assert not CONTRADICTS_THE_LAB.search(EXPLANATION)
