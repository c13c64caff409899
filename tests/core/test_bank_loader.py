"""The loader: a valid file loads; each kind of mistake gives `file:line: what is wrong`."""

from __future__ import annotations

import json
import textwrap

import pytest

from kviz.bank.loader import BankError, check_files, load_bank, read_bank

HEADER = "topic: filters\ntitle: Filters\nquestions:\n"
GOOD_Q = """\
  - id: filters-001
    type: truefalse
    difficulty: 1
    prompt: A filter is slid over the whole input.
    answer: true
    explanation: The same weights are used at every position.
"""


def write(tmp_path, body: str, name: str = "filters.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def problems_of(tmp_path, body: str, name: str = "filters.yaml") -> list[str]:
    return [str(p) for p in check_files([write(tmp_path, body, name)])]


def test_the_fixture_bank_loads_every_type(bank):
    assert bank.counts() == {
        "topics": {"filters": 7},
        "types": {
            "single": 1,
            "truefalse": 1,
            "numeric": 1,
            "multiple": 1,
            "text": 1,
            "computed": 2,
        },
        "total": 7,
    }
    assert bank.titles == {"filters": "Number of filters"}
    assert bank.get("filters-003").question.answer == 80


def test_bad_yaml_names_the_line(tmp_path):
    body = HEADER + GOOD_Q.replace("prompt: A filter", "prompt: A: filter")
    (problem,) = problems_of(tmp_path, body)
    assert problem.startswith(f"{tmp_path / 'filters.yaml'}:7: bad YAML: mapping values")


def test_missing_field_points_at_the_question(tmp_path):
    body = HEADER + GOOD_Q + GOOD_Q.replace("001", "002").replace("    answer: true\n", "")
    (problem,) = problems_of(tmp_path, body)
    assert problem.endswith(":10: filters-002: answer: Field required")


def test_wrong_type_points_at_the_field(tmp_path):
    body = HEADER + GOOD_Q.replace("difficulty: 1", "difficulty: hard")
    (problem,) = problems_of(tmp_path, body)
    assert ":6: filters-001: difficulty:" in problem


def test_out_of_range_difficulty_and_unknown_type(tmp_path):
    body = HEADER + GOOD_Q.replace("difficulty: 1", "difficulty: 4")
    body += GOOD_Q.replace("001", "002").replace("truefalse", "essay")
    found = problems_of(tmp_path, body)
    assert any(
        ":6: filters-001: difficulty:" in p and "less than or equal to 3" in p for p in found
    )
    assert any(":11: filters-002: type: unknown question type 'essay'" in p for p in found)


def test_duplicate_id_across_files(tmp_path):
    first = write(tmp_path, HEADER.replace("filters", "dropout") + GOOD_Q, name="dropout.yaml")
    second = write(tmp_path, HEADER + GOOD_Q)
    found = [str(p) for p in check_files([tmp_path])]
    assert found == [f"{second}:4: duplicate id 'filters-001' (first at {first}:4)"]


def test_unknown_generator(tmp_path):
    body = HEADER + textwrap.indent(
        textwrap.dedent("""\
        - id: filters-010
          type: computed
          difficulty: 2
          generator: conv_magic
          params: {size: [28]}
          prompt: "{size}?"
          explanation: because
        """),
        "  ",
    )
    (problem,) = problems_of(tmp_path, body)
    assert ":7: filters-010: generator: unknown generator 'conv_magic'" in problem


def test_computed_placeholder_must_be_a_drawn_value(tmp_path):
    body = HEADER + textwrap.indent(
        textwrap.dedent("""\
        - id: filters-011
          type: computed
          difficulty: 2
          generator: conv_params
          params: {kernel: [3], in_channels: [1], filters: [8, 16]}
          prompt: "{kernel} {filters} {stride}?"
          explanation: "{answer}"
        """),
        "  ",
    )
    (problem,) = problems_of(tmp_path, body)
    assert ":4: filters-011: placeholder {stride} is not a drawn value" in problem


def test_choice_answer_letter_out_of_range(tmp_path):
    body = HEADER + textwrap.indent(
        textwrap.dedent("""\
        - id: filters-012
          type: single
          difficulty: 1
          prompt: Which?
          choices: [one, two]
          answer: c
          explanation: because
        - id: filters-013
          type: multiple
          difficulty: 1
          prompt: Which?
          choices: [one, two, three]
          answer: []
          explanation: because
        """),
        "  ",
    )
    found = problems_of(tmp_path, body)
    assert any(":4: filters-012: answer 'c' is not one of the letters a..b" in p for p in found)
    assert any(":16: filters-013: answer:" in p for p in found)


def test_numeric_check_must_agree_with_the_answer(tmp_path):
    body = HEADER + GOOD_Q.replace("truefalse", "numeric").replace("answer: true", "answer: 81")
    body += "    check: {generator: conv_params, params: {kernel: 3, in_channels: 1, filters: 8}}\n"
    (problem,) = problems_of(tmp_path, body)
    assert ":4: filters-001: check: conv_params gives 80, but answer is 81" in problem


def test_topic_must_match_file_and_keys_not_repeat(tmp_path):
    body = HEADER.replace("topic: filters", "topic: pooling") + GOOD_Q + "    difficulty: 2\n"
    found = problems_of(tmp_path, body)
    assert any(p.endswith(":1: topic 'pooling' must match the file name") for p in found)
    assert any(p.endswith(":10: difficulty: given twice") for p in found)


def test_load_bank_raises_with_every_problem(tmp_path):
    path = write(tmp_path, HEADER + GOOD_Q.replace("difficulty: 1", "difficulty: 0"))
    with pytest.raises(BankError) as err:
        load_bank([path])
    assert str(err.value).startswith(f"{path}:6:")


def test_not_a_mapping_empty_and_missing_files(tmp_path):
    assert problems_of(tmp_path, "- just\n- a list\n") == [
        f"{tmp_path / 'filters.yaml'}:1: expected a mapping: topic, title, questions"
    ]
    assert problems_of(tmp_path, "") == [f"{tmp_path / 'filters.yaml'}:1: empty file"]
    (missing,) = check_files([tmp_path / "nope.yaml"])
    assert missing.line == 1 and "cannot read" in missing.message


def test_valid_questions_still_count_beside_broken_ones(tmp_path):
    body = HEADER + GOOD_Q + GOOD_Q.replace("001", "002").replace("difficulty: 1", "difficulty: x")
    bank, problems = read_bank([write(tmp_path, body)])
    assert bank.counts()["total"] == 1 and len(problems) == 1


def test_bank_check_command(tmp_path, good_dir, capsys):
    from kviz.cli import main

    assert main(["bank", "check", "--json", str(good_dir)]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["total"] == 7 and counts["topics"] == {"filters": 7}
    broken = write(tmp_path, HEADER + GOOD_Q.replace("difficulty: 1", "difficulty: 9"))
    assert main(["bank", "check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:6: filters-001: difficulty:" in err
    assert "Traceback" not in err


def test_missing_type_names_the_types(tmp_path):
    (problem,) = problems_of(tmp_path, HEADER + GOOD_Q.replace("    type: truefalse\n", ""))
    assert problem.endswith(
        ":4: filters-001: type: Field required (one of single, multiple, truefalse, numeric,"
        " text, computed)"
    )


def test_duplicate_keys_are_reported_when_the_header_is_invalid_too(tmp_path):
    found = problems_of(
        tmp_path,
        """\
        topic: filters
        topic: filters
        questions: not a list
        """,
    )
    assert any(p.endswith(":2: topic: given twice") for p in found), found
    assert any("questions" in p for p in found), found
