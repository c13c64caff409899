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


# --- issue #15: bank files from teachers and other apps, bounded in time and memory ---

COMPUTED_Q = """\
  - id: filters-009
    type: computed
    difficulty: 2
    generator: conv_output_size
    params: {{size: [28], kernel: [3], stride: [1], padding: [valid]}}
    prompt: "Output height of {{size}} with kernel {{kernel}}? {spec}"
    explanation: "Here: {{answer}}."
"""


def _timed_problems(tmp_path, body: str, name: str = "filters.yaml", limit: float = 5.0):
    import time

    start = time.monotonic()
    found = problems_of(tmp_path, body, name)
    assert time.monotonic() - start < limit
    return found


def test_alias_bomb_in_check_params_is_refused_quickly(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = "{" + ", ".join(levels) + "}"
    body = HEADER + GOOD_Q.replace("filters-001", "filters-002").replace(
        "type: truefalse", "type: truefalse\n    tags: []"
    )
    body += f"""\
  - id: filters-003
    type: numeric
    difficulty: 2
    prompt: How many?
    answer: 80
    explanation: Because.
    check: {{generator: conv_params, params: {bomb}}}
"""
    found = _timed_problems(tmp_path, body)
    assert found == [
        f"{tmp_path / 'filters.yaml'}:1: aliases (*name) expand to too much; over 200,000 values"
    ]


def test_oversized_file_is_refused_before_parsing(tmp_path):
    body = HEADER + GOOD_Q + "# " + "x" * 1_100_000 + "\n"
    (found,) = _timed_problems(tmp_path, body)
    assert found.endswith("a topic file is at most 1,000,000 bytes: split it")


@pytest.mark.parametrize("spec", ["{answer:>20000000}", "{answer:>3000000000}", "{answer:.500f}"])
def test_huge_format_widths_fail_the_check(tmp_path, spec):
    body = HEADER + COMPUTED_Q.format(spec=spec)
    (found,) = _timed_problems(tmp_path, body)
    assert found.startswith(f"{tmp_path / 'filters.yaml'}:4: filters-009: format ")
    assert "at most 100" in found


def test_rendered_prompt_length_is_capped(tmp_path):
    from kviz.bank.templates import TemplateError, render

    with pytest.raises(TemplateError, match="at most 2,000"):
        render("{a}" * 30, {"a": "x" * 100})
    assert render("{a:>100}", {"a": 1}).endswith(" 1")


def test_deep_nesting_is_a_file_line_problem(tmp_path):
    body = HEADER + GOOD_Q + "  - " + "[" * 5000 + "\n"
    (found,) = _timed_problems(tmp_path, body)
    assert found.startswith(f"{tmp_path / 'filters.yaml'}:") and "nested deeper than" in found


def test_huge_difficulty_is_a_file_line_problem(tmp_path):
    body = HEADER + GOOD_Q.replace("difficulty: 1", "difficulty: " + "9" * 5000)
    (found,) = _timed_problems(tmp_path, body)
    assert found == f"{tmp_path / 'filters.yaml'}:6: bad YAML: a number of 5000 characters"


def test_a_folder_of_yml_files_is_read_and_an_empty_folder_is_a_problem(tmp_path):
    write(tmp_path, HEADER + GOOD_Q, "filters.yml")
    bank, problems = read_bank([tmp_path])
    assert problems == [] and bank.counts()["total"] == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    _, problems = read_bank([empty])
    assert [str(p) for p in problems] == [f"{empty}: no topic files (*.yaml, *.yml) in this folder"]


def test_messages_show_a_bounded_part_of_large_values():
    from kviz.bank.loader import MAX_MESSAGE, Problem
    from kviz.bank.templates import short_repr

    assert len(short_repr(list(range(10**6)))) < 60
    assert len(Problem("f.yaml", 3, "x" * 10**6).message) == MAX_MESSAGE
