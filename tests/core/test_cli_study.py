"""kviz quiz / review / stats from a script, and kill -9 in the middle of a quiz."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from kviz.cli import main

# Input for the first three questions --seed 1 asks (true/false, text, single choice);
# "z" is not a shown letter, so it is rejected and "b" answers the third.
STEPS = ["false", "relu", "z\nb"]


def run(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def attempts(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT question_id, correct FROM attempts ORDER BY id").fetchall()
    finally:
        con.close()


def count_so_far(path) -> int:
    """Attempts committed so far; 0 while the database is still being created."""
    try:
        return len(attempts(path)) if path.exists() else 0
    except sqlite3.OperationalError:
        return 0


def test_scripted_quiz_records_every_answer(tmp_path, good_dir, monkeypatch, capsys):
    db = tmp_path / "k.db"
    argv = ["quiz", "--db", str(db), "--bank", str(good_dir), "--seed", "1", "--count", "3"]
    code, out, err = run(monkeypatch, capsys, argv + ["--learner", "ann"], "maybe\nfalse\nrelu\n")
    assert code == 0 and err == ""
    assert "not an answer: answer true or false" in out  # asked again, not graded
    assert "(end of input" in out and "Score: left early, 2 of 3 answered (2 right)" in out
    assert attempts(db) == [("filters-002", 1), ("filters-005", 1)]
    code, out, _ = run(monkeypatch, capsys, ["stats", "--db", str(db), "--json"])
    stats = json.loads(out)
    assert code == 0 and stats["learner"]["name"] == "ann" and stats["attempts"] == 2


def test_choices_are_lettered_and_scored_per_topic(tmp_path, good_dir, monkeypatch, capsys):
    db = tmp_path / "k.db"
    argv = ["quiz", "--db", str(db), "--bank", str(good_dir), "--seed", "3", "--count", "7"]
    # each question takes the first line that fits its type; the others are asked again
    code, out, _ = run(monkeypatch, capsys, argv, "a\ntrue\n80\n" * 7)
    assert code == 0 and "  a) " in out and "  b) " in out and "\n  filters: " in out
    assert len(attempts(db)) == 7 and "Score: " in out and "(end of input" not in out


def test_review_after_a_miss(tmp_path, good_dir, monkeypatch, capsys):
    db = tmp_path / "k.db"
    argv = ["--db", str(db), "--bank", str(good_dir)]
    run(monkeypatch, capsys, ["quiz", *argv, "--seed", "1", "--count", "1"], "true\n")
    code, out, _ = run(monkeypatch, capsys, ["review", *argv])
    assert code == 0 and "Nothing is due for review for default; next at" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stats", "--db", "/no/such/folder/k.db"], "kviz: error: /no/such/folder/k.db: folder"),
        (["quiz", "--topic", "dropout"], "kviz: error: unknown topic dropout"),
        (["quiz", "--count", "0"], "kviz: error: count must be at least 1"),
    ],
)
def test_errors_are_one_line(tmp_path, good_dir, monkeypatch, capsys, argv, message):
    if argv[0] == "quiz":
        argv = [*argv, "--bank", str(good_dir), "--db", str(tmp_path / "k.db")]
    code, _, err = run(monkeypatch, capsys, argv)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1


def test_corrupt_database_and_broken_bank_are_one_line(tmp_path, good_dir, monkeypatch, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 300)
    code, _, err = run(monkeypatch, capsys, ["stats", "--db", str(bad)])
    assert (
        code == 2
        and err == f"kviz: error: {bad}: not a SQLite database; left untouched (check --db)\n"
    )
    broken = tmp_path / "filters.yaml"
    broken.write_text("topic: filters\ntitle: x\nquestions: [1]\n")
    code, _, err = run(monkeypatch, capsys, ["quiz", "--bank", str(broken), "--db", str(bad)])
    assert code == 2 and err.startswith(f"kviz: error: question bank: {broken}:3:")
    assert err.count("\n") == 1


def test_kill_9_mid_quiz_keeps_every_given_answer(tmp_path, good_dir):
    db = tmp_path / "k.db"
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "kviz", "quiz", "--db", str(db), "--bank", str(good_dir)]
    proc = subprocess.Popen(
        [*cmd, "--seed", "1", "--count", "5"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        for given, line in enumerate(STEPS, start=1):
            proc.stdin.write(f"{line}\n".encode())
            proc.stdin.flush()
            deadline = time.monotonic() + 30
            while count_so_far(db) < given and time.monotonic() < deadline:
                time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    from kviz.store.database import open_database

    reopened = open_database(str(db))
    from kviz.store.records import last_learner, learner_stats

    stats = learner_stats(reopened, last_learner(reopened).id)
    reopened.close()
    assert stats.attempts == 3
    assert [q for q, _ in attempts(db)] == ["filters-002", "filters-005", "filters-001"]


def test_stats_before_any_learner_and_for_an_unknown_one(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "k.db")
    code, out, _ = run(monkeypatch, capsys, ["stats", "--db", db])
    assert code == 0 and out.startswith("No learner yet")
    code, _, err = run(monkeypatch, capsys, ["stats", "--db", db, "--learner", "zoe"])
    assert code == 2 and err == "kviz: error: no learner named 'zoe' (known: none yet)\n"


def test_review_asks_the_missed_question(tmp_path, good_dir, bank, monkeypatch, capsys):
    import random
    from datetime import UTC, datetime, timedelta

    from kviz.quiz.answers import parse_answer
    from kviz.quiz.grading import grade
    from kviz.quiz.items import make_item
    from kviz.store.database import open_database
    from kviz.store.records import get_or_create_learner, record_attempt, start_quiz

    path = tmp_path / "k.db"
    db = open_database(str(path))
    quiz = start_quiz(db, get_or_create_learner(db, "ann").id, "quiz", [])
    item = make_item(bank.get("filters-002"), random.Random(0))
    wrong = parse_answer(item, "true")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    record_attempt(db, quiz, item, wrong.canonical, grade(item, wrong), 4, when=an_hour_ago)
    db.close()
    argv = ["review", "--db", str(path), "--bank", str(good_dir)]
    code, out, _ = run(monkeypatch, capsys, argv, "false\n")
    assert code == 0 and "Review for ann: 1 question." in out and "Score: 1/1" in out
    con = sqlite3.connect(path)
    modes = con.execute("SELECT mode FROM quiz_sessions ORDER BY id").fetchall()
    con.close()
    assert modes == [("quiz",), ("review",)]
    assert attempts(path) == [("filters-002", 0), ("filters-002", 1)]


@pytest.mark.parametrize("io_encoding", ["utf-8", "utf-8:surrogateescape"])
def test_undecodable_input_is_asked_again(tmp_path, good_dir, io_encoding):
    """Bytes that are not UTF-8 get "type it again", never a traceback or a stored answer."""
    db = tmp_path / "k.db"
    argv = ["quiz", "--db", str(db), "--bank", str(good_dir), "--seed", "1", "--count", "2"]
    env = {**os.environ, "PYTHONIOENCODING": io_encoding}
    proc = subprocess.run(
        [sys.executable, "-m", "kviz", *argv],
        input=b"false\nab\xff\xfecd\nrelu\n",  # the second question is a text one
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"not readable text" in proc.stdout
    assert attempts(db) == [("filters-002", 1), ("filters-005", 1)]


@pytest.mark.parametrize(
    ("body", "message"),
    [("  - " + "[" * 5000, "nested deeper than"), ("    difficulty: " + "9" * 5000, "characters")],
)
def test_quiz_bank_with_hostile_yaml_is_one_line(tmp_path, monkeypatch, capsys, body, message):
    bank = tmp_path / "filters.yaml"
    bank.write_text("topic: filters\ntitle: F\nquestions:\n  - id: a\n" + body + "\n")
    argv = ["quiz", "--db", str(tmp_path / "k.db"), "--bank", str(bank)]
    code, _, err = run(monkeypatch, capsys, argv)
    assert code != 0 and len(err.strip().splitlines()) == 1
    assert f"{bank}:" in err and message in err


def test_bank_check_of_a_folder_without_topic_files_fails(tmp_path, monkeypatch, capsys):
    code, _, err = run(monkeypatch, capsys, ["bank", "check", str(tmp_path)])
    assert code == 1 and "no topic files" in err
