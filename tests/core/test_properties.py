"""Property-based tests: the answer parser and the bank loader on random input.

Neither may fail with anything but its documented errors (AnswerFormatError; Problems).
"""

from __future__ import annotations

import random
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kviz.bank.loader import check_files, read_bank
from kviz.quiz.answers import AnswerFormatError, parse_answer
from kviz.quiz.grading import grade
from kviz.quiz.items import make_item

SOME = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(raw=st.text(max_size=60), seed=st.integers(0, 50))
def test_parser_takes_any_text(bank, raw, seed):
    for entry in bank.entries:
        item = make_item(entry, random.Random(seed))
        try:
            answer = parse_answer(item, raw)
        except AnswerFormatError as e:
            assert e.hint
            continue
        feedback = grade(item, answer)
        assert isinstance(feedback.correct, bool)


@SOME
@given(raw=st.from_regex(r"\s*[a-h]([ ,;]+[a-h]){0,4}\s*", fullmatch=True))
def test_letter_answers_are_graded_or_rejected(bank, raw):
    item = make_item(bank.get("filters-004"), random.Random(0))
    try:
        answer = parse_answer(item, raw)
    except AnswerFormatError:
        assert any(c in raw for c in "defgh")
        return
    assert answer.choices <= {0, 1, 2}


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(string.printable, max_size=12),
    st.sampled_from(["single", "multiple", "numeric", "computed", "a", "conv_params"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "difficulty",
                    "prompt",
                    "answer",
                    "choices",
                    "explanation",
                    "generator",
                    "params",
                    "check",
                    "tolerance",
                    "min",
                    "max",
                    "topic",
                    "title",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=20,
)


@SOME
@given(questions=st.lists(yaml_values, max_size=4), topic=yaml_scalars)
def test_loader_reports_problems_for_random_structures(tmp_path, questions, topic):
    path = tmp_path / "filters.yaml"
    doc = {"topic": topic, "title": "t", "questions": questions}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    bank, problems = read_bank([path])
    for p in problems:
        assert p.file == str(path) and p.line >= 1 and p.message


@FAST
@given(text=st.text(max_size=200))
def test_loader_survives_random_text(tmp_path, text):
    path = tmp_path / "filters.yaml"
    path.write_text(text, encoding="utf-8")
    for p in check_files([path]):
        assert p.line >= 1 and p.message
