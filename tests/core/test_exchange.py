"""Exchange: GIFT and Moodle XML in and out, Anki decks, and CSV of answers and runs."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import zipfile
from pathlib import Path

import pytest

from kviz.bank.generators import run_generator
from kviz.bank.loader import load_bank, load_bank_and_user
from kviz.bank.templates import draw_params
from kviz.cli import main
from kviz.exchange.anki import write_anki
from kviz.exchange.common import ExchangeError
from kviz.exchange.gift import read_gift, write_gift
from kviz.exchange.moodle_xml import FORMULAS, read_moodle_xml, write_moodle_xml
from kviz.exchange.questions import import_questions
from kviz.quiz.answers import parse_answer
from kviz.quiz.grading import grade
from kviz.quiz.items import make_item

DATA = Path(__file__).parent / "data" / "exchange"


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def _key(q: dict | object) -> tuple:
    """What a question asks and accepts, whatever its form (YAML dict or schema model)."""
    get = q.get if isinstance(q, dict) else lambda k, d=None: getattr(q, k, d)
    answer = get("answer")
    if isinstance(answer, list | tuple):
        answer = tuple(answer)
    return (
        get("type"),
        get("prompt"),
        tuple(get("choices") or ()),
        answer,
        float(get("tolerance") or 0) if get("type") == "numeric" else None,
        get("explanation"),
    )


def _round_trip(bank, imported) -> None:
    got = [q for questions in imported.topics.values() for q in questions]
    assert len(got) == len(bank.entries)
    for entry, question in zip(bank.entries, got, strict=True):
        if entry.question.type != "computed":
            assert _key(question) == _key(entry.question), entry.question.id


def test_every_non_computed_question_survives_gift(tmp_path, bank):
    count, drawn = write_gift(bank, tmp_path / "bank.gift")
    assert count == len(bank.entries) and drawn == sum(
        e.question.type == "computed" for e in bank.entries
    )
    imported = read_gift(tmp_path / "bank.gift")
    assert imported.skipped == []
    _round_trip(bank, imported)
    assert set(imported.titles.values()) == set(bank.titles.values())  # categories kept


def test_every_non_computed_question_survives_moodle_xml(tmp_path, bank):
    counts = write_moodle_xml(bank, tmp_path / "bank.xml")
    computed = sum(e.question.type == "computed" for e in bank.entries)
    assert counts["calculated"] >= 5 and counts["calculated"] + counts["drawn"] == computed
    imported = read_moodle_xml(tmp_path / "bank.xml")
    _round_trip(bank, imported)
    # Computed questions Moodle can compute come back computed, and compute the same answers.
    got = [q for questions in imported.topics.values() for q in questions]
    kept = [(e, q) for e, q in zip(bank.entries, got, strict=True) if q["type"] == "computed"]
    assert len(kept) == counts["calculated"]
    for entry, q in kept:
        rng = random.Random(3)
        ours = entry.question.params
        drawn = draw_params(entry.question.spec(), rng)
        theirs = run_generator(
            "formula",
            {
                **drawn,
                **{
                    k: v[0]
                    for k, v in q["params"].items()
                    if isinstance(v, list) and isinstance(v[0], str)
                },
            },
        )
        assert theirs["answer"] == pytest.approx(
            run_generator(entry.question.generator, drawn)["answer"]
        ), ours


@pytest.mark.parametrize("generator", sorted(FORMULAS))
def test_moodle_formulas_agree_with_their_generators(generator):
    from kviz.bank.formula import evaluate

    rng = random.Random(0)
    sample = {
        "conv_params": lambda: {
            "kernel": rng.randint(1, 7),
            "in_channels": rng.randint(1, 64),
            "filters": rng.randint(1, 256),
        },
        "dropout_scale": lambda: {"rate": rng.choice([0.0, 0.1, 0.25, 0.5, 0.8])},
    }[generator]
    for _ in range(50):
        params = sample()
        values = run_generator(generator, params)
        for name, formula in FORMULAS[generator].items():
            assert evaluate(formula, params) == pytest.approx(values[name]), (name, params)


def test_gift_constructs(tmp_path):
    imported = read_gift(DATA / "constructs.gift")
    assert imported.titles == {"cnn_basics": "CNN basics", "second_topic": "Second topic"}
    first, several, tf, short, tol, rng, esc, html_q, plain = imported.topics["cnn_basics"]
    assert first["type"] == "single" and first["answer"] == "a"
    assert first["choices"][1] == "The mean of the four values"
    assert first["explanation"] == "Max pooling keeps the strongest response in each window."
    assert several["type"] == "multiple" and several["answer"] == ["a", "b"]
    assert (tf["type"], tf["answer"], tf["explanation"]) == (
        "truefalse",
        False,
        "Keras turns dropout off in predict().",
    )
    assert (short["type"], short["answer"]) == ("text", ["relu", "ReLU"])
    assert (tol["answer"], tol["tolerance"]) == (3.14, 0.01)
    assert (rng["answer"], rng["tolerance"]) == (1.5, 0.5)
    assert esc["prompt"] == "Which is right: a=b or a~b? Braces {} and a # too."
    assert esc["choices"] == ["a=b", "a~b"] and esc["explanation"] == "Escaped : = ~ # { }."
    assert html_q["prompt"] == "Is ReLU & friends linear?"  # [html]: tags and entities gone
    assert plain["answer"] is True
    (missing_word,) = imported.topics["second_topic"]
    assert missing_word["prompt"] == "Grant is _____ in Grant's tomb."
    assert missing_word["choices"][missing_word["answer"] == "b" and 1] == "entombed"
    skipped = [str(s) for s in imported.skipped]
    assert skipped[0].endswith(
        "constructs.gift:35: matching question ('->'): Kviz has no matching type"
    )
    assert ":37: essay question" in skipped[1]


def test_moodle_xml_constructs():
    imported = read_moodle_xml(DATA / "constructs.xml")
    one, two, tf, short, num, calc = imported.topics["moodle_topic"]
    assert one["prompt"] == "Which loss suits 10 one-hot classes?" and one["answer"] == "a"
    assert two["type"] == "multiple" and two["answer"] == ["a", "b"]
    assert tf["answer"] is False and short["answer"] == ["Dropout"]
    assert (num["answer"], num["unit"], num["explanation"]) == (80, "parameters", "8 x (9 + 1).")
    assert calc["type"] == "computed" and calc["generator"] == "formula"
    assert calc["params"]["f"] == {"min": 2, "max": 64}
    names = [str(s).split("question ")[1] for s in imported.skipped]
    assert [n.split(":")[0] for n in names] == [
        "'A matching one'",
        "'An essay'",
        "'A cloze'",
        "'Drag and drop'",
    ]


def test_an_imported_calculated_question_is_drawn_and_graded(tmp_path):
    summary = import_questions(DATA / "constructs.xml", tmp_path)
    bank, problems = load_bank_and_user(tmp_path)
    assert problems == [] and summary.total == 6
    (calc,) = [
        e for e in bank.entries if e.question.type == "computed" and e.topic in bank.user_topics
    ]
    item = make_item(calc, random.Random(5))
    f = item.values["f"]
    assert f"Conv2D({f}, 3)" in item.prompt and f"= {10 * f}" in item.explanation
    assert grade(item, parse_answer(item, str(10 * f))).correct


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("::T::Q?{=a ~b\n", "'{' is not closed by '}'"),
        ("::T::Q?{#abc}\n", "numeric answer 'abc' is not a number or range"),
        ("::T::Q?{~a ~b}\n", "no choice is marked right"),
        ("::T::[latex]Q?{T}\n", "unknown text format [latex]"),
    ],
)
def test_a_broken_gift_file_names_its_line_and_imports_nothing(tmp_path, text, message):
    path = tmp_path / "broken.gift"
    path.write_text("::Good::Fine?{T}\n\n// comment\n" + text, encoding="utf-8")
    into = tmp_path / "mine"
    with pytest.raises(ExchangeError) as raised:
        import_questions(path, into)
    assert str(raised.value).startswith(f"{path}:4: {message}")
    assert not into.exists() or list(into.iterdir()) == []


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<quiz><question type='truefalse'>", "not well-formed XML"),
        ('<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "refused"),
        ("<other/>", "the root element is <other>, not <quiz>"),
        (
            "<quiz><question type='numerical'><name><text>N</text></name>"
            "<questiontext><text>Q?</text></questiontext>"
            "<answer fraction='100'><text>ten</text></answer></question></quiz>",
            "question 'N': answer 'ten' is not a number",
        ),
    ],
)
def test_a_broken_or_hostile_xml_file_is_refused_whole(tmp_path, xml, message):
    path = tmp_path / "bad.xml"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(ExchangeError, match=message):
        import_questions(path, tmp_path / "mine")
    assert not (tmp_path / "mine").exists() or not list((tmp_path / "mine").iterdir())


def test_user_files_load_beside_the_bank_and_never_shadow_it(tmp_path, bank):
    summary = import_questions(DATA / "constructs.gift", tmp_path)
    assert [p.name for p in summary.written] == ["cnn_basics.yaml", "second_topic.yaml"]
    assert summary.counts == {"cnn_basics": 9, "second_topic": 1}
    both, problems = load_bank_and_user(tmp_path)
    assert problems == [] and both.user_topics == {"cnn_basics", "second_topic"}
    assert len(both.entries) == len(bank.entries) + 10
    # A hand-made file that reuses a built-in id or topic is left out whole, with a reason.
    taken = bank.entries[0].question.id
    (tmp_path / "sneaky.yaml").write_text(
        f"topic: sneaky\ntitle: S\nquestions:\n  - id: {taken}\n    type: truefalse\n"
        "    difficulty: 1\n    prompt: Changed?\n    answer: true\n    explanation: No.\n",
        encoding="utf-8",
    )
    (tmp_path / "filters.yaml").write_text(
        "topic: filters\ntitle: F\nquestions:\n  - id: mine-1\n    type: truefalse\n"
        "    difficulty: 1\n    prompt: Mine?\n    answer: true\n    explanation: Yes.\n",
        encoding="utf-8",
    )
    again, problems = load_bank_and_user(tmp_path)
    assert again.get(taken).question == bank.get(taken).question
    assert again.get("mine-1") is None
    text = "\n".join(str(p) for p in problems)
    assert f"duplicate id {taken!r}" in text and "already in the built-in bank" in text
    # Importing the same file again makes new topic names instead of touching the first.
    second = import_questions(DATA / "constructs.gift", tmp_path)
    assert [p.name for p in second.written] == ["cnn_basics_2.yaml", "second_topic_2.yaml"]


def test_cli_import_check_and_export(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["bank", "import", str(DATA / "constructs.gift")]) == 0
    out = capsys.readouterr().out
    assert "Imported 10 questions from constructs.gift." in out
    assert "Skipped 2 questions Kviz cannot represent:" in out and ":35: matching" in out
    assert "marked (yours)" in out
    assert (
        main(["bank", "import", str(DATA / "constructs.xml"), "--into", str(tmp_path / "x")]) == 0
    )
    assert "copy the files to" in capsys.readouterr().out  # not loaded unless moved there
    user_dir = tmp_path / "data" / "kviz" / "questions"
    assert main(["bank", "check", str(user_dir)]) == 0
    assert "total: 10 questions" in capsys.readouterr().out
    out_file = tmp_path / "out.gift"
    assert (
        main(["bank", "export", "--format", "gift", "-o", str(out_file), "--topics", "cnn_basics"])
        == 0
    )
    assert "Wrote 9 questions" in capsys.readouterr().out
    assert out_file.read_text(encoding="utf-8").count("::cnn-basics-") == 9
    assert main(["bank", "import", str(tmp_path / "nope.gift")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["bank", "export", "--format", "gift", "-o", str(out_file), "--topics", "zzz"]) == 2
    assert "unknown topic zzz" in capsys.readouterr().err


def _apkg_notes(path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as z:
        (tmp := path.with_suffix(".anki2")).write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return con.execute("SELECT guid, flds FROM notes ORDER BY guid").fetchall()
    finally:
        con.close()


def test_anki_deck_has_one_note_per_question_with_stable_guids(tmp_path, bank):
    counts = write_anki(bank, tmp_path / "a.apkg")
    assert counts == {
        "notes": len(bank.entries),
        "decks": len(bank.topics),
        "drawn": counts["drawn"],
    }
    first = _apkg_notes(tmp_path / "a.apkg")
    assert len(first) == len(bank.entries) == len({g for g, _ in first})
    write_anki(bank, tmp_path / "b.apkg")
    assert [g for g, _ in _apkg_notes(tmp_path / "b.apkg")] == [g for g, _ in first]
    single = next(e.question for e in bank.entries if e.question.type == "single")
    fields = next(f for _, f in first if single.explanation.split()[0] in f and "a) " in f)
    assert "\x1f" in fields  # the note's fields: question, choices, answer, why


def test_attempts_and_runs_as_csv(tmp_path, db, bank, capsys):
    from kviz.quiz.engine import QuizRun
    from kviz.store import lab_runs as lr
    from kviz.store import records as r

    learner = r.get_or_create_learner(db, "Ann").id
    quiz = r.start_quiz(db, learner, "quiz", [])
    item = make_item(bank.entries[0], random.Random(0))
    answer = parse_answer(item, "a")
    r.record_attempt(db, quiz, item, answer.canonical, QuizRun([item]).submit(answer, 2), 2)
    lr.save_lab_run(
        db,
        learner,
        {
            "config": {"filters": 8},
            "history": [],
            "test_accuracy": 0.9693,
            "gap": 0.01,
            "params": 13610,
            "fit_seconds": 31.5,
            "source": "folder /x",
            "n_train": 60000,
            "n_test": 10000,
            "cancelled": False,
        },
    )
    path = str(db.path)
    db.close()
    assert main(["export", "attempts", "--csv", "-o", str(tmp_path / "a.csv"), "--db", path]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))))
    assert [(x["learner"], x["question_id"], x["type"], x["expected"]) for x in rows] == [
        ("Ann", item.question_id, item.type, item.key.expected)
    ]
    assert (
        main(
            [
                "export",
                "runs",
                "--csv",
                "-o",
                str(tmp_path / "r.csv"),
                "--db",
                path,
                "--learner",
                "ann",
            ]
        )
        == 0
    )
    (run,) = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    assert (run["learner"], run["test_accuracy"], run["params"], run["source"]) == (
        "Ann",
        "0.9693",
        "13610",
        "folder /x",
    )
    assert "Wrote 1 lab run to" in capsys.readouterr().out


def test_gift_numeric_alternatives_truefalse_feedback_and_skipped_cloze():
    imported = read_gift(DATA / "more_constructs.gift")
    several, tf_two, tf_one = imported.topics["more_constructs"]
    # the full-credit answer wins; the 50% one and the `~#` wrong-answer feedback are dropped
    assert (several["answer"], several["tolerance"], several["explanation"]) == (
        1822,
        0,
        "Exactly.",
    )
    # `{TRUE#if wrong#if right}`: the feedback for a right answer explains it
    assert (tf_two["answer"], tf_two["explanation"]) == (True, "Shown when right.")
    assert (tf_one["answer"], tf_one["explanation"]) == (False, "He died in 1885.")
    skipped = [str(s) for s in imported.skipped]
    assert len(skipped) == 2
    assert "more_constructs.gift:12: cloze (several answer blocks)" in skipped[0]
    assert "more_constructs.gift:14: no answer block" in skipped[1]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd", "'+1+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("-3", "-3"),  # a plain negative number stays a number
        ("relu", "relu"),
        (0.5, 0.5),
    ],
)
def test_csv_cells_never_run_as_spreadsheet_formulas(cell, written):
    from kviz.exchange.records_csv import spreadsheet_safe

    assert spreadsheet_safe(cell) == written


def test_moodle_xml_with_more_choices_than_kviz_shows_is_skipped_not_refused(tmp_path):
    answers = "".join(
        f'<answer fraction="{100 if i == 0 else 0}"><text>c{i}</text></answer>' for i in range(7)
    )
    (tmp_path / "seven.xml").write_text(
        '<quiz><question type="multichoice"><name><text>seven</text></name>'
        f"<questiontext><text>Pick</text></questiontext>{answers}</question>"
        '<question type="truefalse"><name><text>tf</text></name>'
        "<questiontext><text>Yes?</text></questiontext>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question></quiz>',
        encoding="utf-8",
    )
    imported = read_moodle_xml(tmp_path / "seven.xml")
    assert [q["type"] for q in imported.topics["seven"]] == ["truefalse"]
    assert [str(s) for s in imported.skipped] == [
        f"{tmp_path / 'seven.xml'}: question 'seven': 7 choices; Kviz shows at most 6"
    ]
