"""The experiments' teaching side: prediction questions in the bank, the verdict on the
learner's own runs, explanations that quote them, questions on them, and the records."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kviz.bank.loader import load_bank
from kviz.experiments.flow import (
    explain,
    grade_prediction,
    prediction_item,
    record_own_answer,
    record_prediction,
    verdict,
)
from kviz.experiments.guides import GUIDES
from kviz.experiments.own_runs import own_run_items
from kviz.quiz.answers import AnswerFormatError
from kviz.store.database import open_database
from kviz.store.experiments import done_experiments, save_experiment_run, sittings
from kviz.store.records import get_or_create_learner, recent_quizzes
from trainer.experiments import EXPERIMENTS

# A finding per experiment as its runs could give it (numbers from runs measured here).
FINDINGS = {
    "overfitting": {
        "test_accuracy_without_dropout": 0.914,
        "train_accuracy_without_dropout": 1.0,
        "val_loss_rise_without_dropout": 0.048,
        "final_val_loss_without_dropout": 0.348,
        "min_val_loss_without_dropout": 0.300,
        "best_epoch_without_dropout": 12.5,
        "gap_without_dropout": 0.086,
        "test_accuracy_with_dropout": 0.925,
        "train_accuracy_with_dropout": 0.991,
        "val_loss_rise_with_dropout": 0.032,
        "final_val_loss_with_dropout": 0.289,
        "min_val_loss_with_dropout": 0.258,
        "best_epoch_with_dropout": 22.0,
        "gap_with_dropout": 0.066,
        "seeds": [1, 2],
    },
    "normalization": {
        "test_accuracy": {
            "adam": {"none": 0.9131, "unit": 0.9361, "center": 0.9372},
            "sgd": {"none": 0.098, "unit": 0.9054, "center": 0.905},
        },
        "final_train_loss": {},
        "raw_drop": {"adam": 0.0241, "sgd": 0.8074},
        "diverged": ["sgd, raw 0-255"],
    },
    "kernel_size": {
        "setting": "kernel",
        "rows": [
            {"kernel": k, "test_accuracy": a, "params": p, "macs": m, "fit_seconds": 5.0}
            | {"images_per_s": 7000.0}
            for k, a, p, m in [
                (1, 0.9209, 15706, 21952),
                (3, 0.9372, 13610, 62192),
                (5, 0.934, 11738, 126720),
                (7, 0.9377, 10090, 199408),
            ]
        ],
        "best_kernel": 7,
        "accuracy_gains": [0.0163, -0.0032, 0.0037],
    },
    "filters": {
        "setting": "filters",
        "rows": [
            {"filters": f, "test_accuracy": a, "params": 1700 * f + 10, "macs": 0}
            | {"fit_seconds": 5.0, "images_per_s": 7000.0}
            for f, a in [
                (2, 0.9026),
                (4, 0.8991),
                (8, 0.925),
                (16, 0.9368),
                (32, 0.9473),
                (64, 0.9548),
            ]
        ],
        "best_filters": 64,
        "accuracy_gains": [-0.0035, 0.0259, 0.0118, 0.0105, 0.0075],
    },
    "batch_size": {
        "setting": "batch_size",
        "rows": [
            {"batch_size": b, "test_accuracy": a, "params": 13610, "macs": 62192}
            | {"fit_seconds": 60000 / s, "images_per_s": s}
            for b, a, s in [(16, 0.9538, 7019), (32, 0.9498, 7273), (512, 0.8916, 14007)]
        ],
        "best_batch_size": 16,
        "accuracy_gains": [-0.004, -0.0582],
    },
    "seeds": {
        "seeds": [1, 2, 3, 4],
        "accuracies": [0.9693, 0.9666, 0.9662, 0.9702],
        "mean": 0.968075,
        "spread": 0.001975,
        "range": 0.004,
    },
}


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_every_experiment_has_a_guide_and_a_prediction_question(bank):
    assert set(GUIDES) == {e.id for e in EXPERIMENTS} == set(FINDINGS)
    for exp in EXPERIMENTS:
        entry = bank.get(GUIDES[exp.id].prediction)
        assert entry is not None, exp.id
        assert entry.question.lab == f"experiment:{exp.id}"
        assert entry.topic == exp.topic


@pytest.mark.parametrize("exp_id", sorted(FINDINGS))
def test_the_measured_runs_support_the_reference_answer(bank, exp_id):
    """On runs like those measured here, the option the runs support is the bank's key, so a
    learner who predicted it is told it held, and one who did not is told what the runs show."""
    finding = FINDINGS[exp_id]
    item = prediction_item(exp_id, bank, seed=3)
    right = item.key.expected.split(")")[0]
    answer, feedback = grade_prediction(item, right)
    assert feedback.correct
    assert verdict(exp_id, item, answer, finding).startswith("Your prediction held")
    wrong = next(c for c in "abcd"[: len(item.choices)] if c != right)
    other, feedback = grade_prediction(item, wrong)
    assert not feedback.correct
    said = verdict(exp_id, item, other, finding)
    assert said.startswith("Your prediction did not hold") and item.key.expected in said


def test_runs_that_contradict_the_reference_are_said_so(bank):
    finding = dict(FINDINGS["overfitting"])
    finding |= {"test_accuracy_with_dropout": 0.90, "final_val_loss_with_dropout": 0.40}
    item = prediction_item("overfitting", bank, seed=1)
    answer, _ = grade_prediction(item, item.key.expected.split(")")[0])
    assert verdict("overfitting", item, answer, finding).startswith("Your prediction did not hold")


@pytest.mark.parametrize("exp_id", sorted(FINDINGS))
def test_the_explanation_quotes_the_learners_numbers(exp_id):
    text = explain(exp_id, FINDINGS[exp_id])
    assert len(text) > 200
    quoted = {
        "overfitting": ["100.0%", "91.4%", "0.300", "0.348", "92.5%"],
        "normalization": ["9.8%", "93.7%", "sgd, raw 0-255", "80.74 points"],
        "kernel_size": ["1x1: 92.1%", "15,706", "199,408"],
        "filters": ["64: 95.5%", "108,810", "+2.59"],
        "batch_size": ["512: 14,007 images/s", "89.2%"],
        "seeds": ["seed 4: 97.0%", "0.40 points"],
    }[exp_id]
    for snippet in quoted:
        assert snippet in text, snippet
    assert explain(exp_id, {}) == ""


@pytest.mark.parametrize("exp_id", sorted(FINDINGS))
def test_questions_on_the_learners_own_runs_are_graded(exp_id):
    items = own_run_items(exp_id, "dropout", FINDINGS[exp_id])
    assert len(items) >= 2
    for item in items:
        assert item.question_id.startswith("own-")
        right = item.key.expected.split(")")[0] if item.choices else item.key.expected
        if item.type == "numeric":
            right = right.split()[0].replace(",", "")
        _, feedback = grade_prediction(item, right)
        assert feedback.correct, (item.prompt, right)


def test_own_run_numbers_come_from_the_runs():
    items = own_run_items("filters", "filters", FINDINGS["filters"])
    params = next(i for i in items if i.question_id == "own-filters-params")
    assert "32-filter model had 54,410 parameters" in params.prompt
    assert params.key.number == 1700 * 64 + 10
    assert own_run_items("filters", "filters", {"rows": []}) == []  # a cancelled experiment


def test_a_prediction_is_saved_as_an_attempt_and_own_answers_are_not_scheduled(tmp_path, bank):
    from sqlalchemy import select

    from kviz.store.models import AttemptRow, ReviewStateRow

    db = open_database(str(tmp_path / "k.db"))
    learner = get_or_create_learner(db, "Ada")
    item = prediction_item("seeds", bank, seed=0)
    answer, feedback = grade_prediction(item, item.key.expected.split(")")[0])
    quiz_id = record_prediction(db, learner.id, item, answer, feedback, 4.0)
    own = own_run_items("seeds", "accuracy_efficiency", FINDINGS["seeds"])[0]
    own_answer, own_feedback = grade_prediction(own, "0.4")
    record_own_answer(db, quiz_id, own, own_answer, own_feedback, 2.0)
    with db.session() as s:
        attempts = s.scalars(select(AttemptRow).order_by(AttemptRow.id)).all()
        reviewed = s.scalars(select(ReviewStateRow.question_id)).all()
    assert [(a.question_id, a.correct) for a in attempts] == [
        ("exp-seeds", True),
        (own.question_id, True),
    ]
    assert attempts[0].prompt == item.prompt and attempts[0].expected == item.key.expected
    assert reviewed == ["exp-seeds"]  # the prediction comes back in review; own-run ones don't
    assert recent_quizzes(db, learner.id)[0].mode == "experiment"
    db.close()


def test_a_wrong_answer_format_gets_the_types_hint(bank):
    item = prediction_item("kernel_size", bank)
    with pytest.raises(AnswerFormatError, match="one letter|pick"):
        grade_prediction(item, "a,b")


def test_an_experiment_is_done_once_every_planned_run_finished(tmp_path):
    db = open_database(str(tmp_path / "k.db"))
    learner = get_or_create_learner(db, "Ada")
    run = {"config": {"filters": 2}, "test_accuracy": 0.9, "cancelled": False, "history": []}
    for label in ("filters 2", "filters 8"):  # a complete sitting
        save_experiment_run(
            db, learner.id, run, experiment="filters", sitting="s1", label=label, planned=2
        )
    save_experiment_run(  # a sitting cancelled after its first run
        db, learner.id, run, experiment="seeds", sitting="s2", label="seed 1", planned=4
    )
    assert set(done_experiments(db, learner.id)) == {"filters"}
    assert [(s.experiment, s.done, len(s.runs)) for s in sittings(db, learner.id)] == [
        ("filters", True, 2),
        ("seeds", False, 1),
    ]
    db.close()


def _kviz(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "kviz", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_cli_lists_the_experiments():
    proc = _kviz("lab", "experiments", "--json")
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)["experiments"]
    assert [e["id"] for e in listed] == [e.id for e in EXPERIMENTS]
    assert all(e["title"] and e["question"].endswith("?") for e in listed)


def test_cli_refuses_an_unknown_experiment_in_one_line():
    proc = _kviz("lab", "experiment", "nope")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "nope: not an experiment" in proc.stderr


def test_cli_refuses_a_badly_formed_prediction_before_training():
    proc = _kviz("lab", "experiment", "seeds", "--predict", "zz")
    assert proc.returncode == 2 and proc.stderr.startswith("kviz: error: --predict:")


def test_cli_runs_an_experiment_and_saves_it(tmp_path, mnist_dir):
    db = tmp_path / "k.db"
    proc = _kviz(
        "lab", "experiment", "seeds", "--quick", "--json", "--mnist-dir", str(mnist_dir),
        "--db", str(db), "--learner", "Ada", "--predict", "b",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["id"] == "seeds" and len(report["runs"]) == 2
    for run in report["runs"]:
        assert {"label", "test_accuracy", "train_accuracy", "gap", "fit_seconds", "params"} <= set(
            run
        )
    assert report["finding"]["seeds"] == [1, 3]
    assert "Mean" in proc.stdout  # the explanation
    assert "your prediction: b (agrees with the reference result)" in proc.stdout
    assert "Your prediction" in proc.stdout  # held or not, on these runs
    opened = open_database(str(db))
    learner = get_or_create_learner(opened, "Ada")
    assert "seeds" in done_experiments(opened, learner.id)
    assert recent_quizzes(opened, learner.id)[0].mode == "experiment"
    opened.close()
