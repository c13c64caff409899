"""The guided experiments: valid plans, findings computed from the runs, cancel keeping the
finished runs, and the overfitting experiment showing overfitting on real MNIST."""

from __future__ import annotations

import json
import math
import threading

import pytest

from trainer.config import LabConfig
from trainer.errors import ConfigError
from trainer.experiments import (
    BY_ID,
    EXPERIMENTS,
    ExperimentResult,
    PlannedRun,
    experiment,
    reference,
    run_experiment,
)
from trainer.findings import val_loss_rise
from trainer.training import EpochMetrics, RunResult

SIX = {"overfitting", "normalization", "kernel_size", "filters", "batch_size", "seeds"}


def fake_run(config: LabConfig, val_losses: list[float], train_acc: float, test_acc: float):
    history = [
        EpochMetrics(n, 0.1, train_acc, loss, test_acc) for n, loss in enumerate(val_losses, 1)
    ]
    return RunResult(
        config, history, val_losses[-1], test_acc, 1.0, 10, 1000, 10000, "test", [], [], False
    )


@pytest.mark.parametrize("quick", [False, True])
def test_every_experiment_plans_valid_runs(quick):
    assert {e.id for e in EXPERIMENTS} >= SIX
    for exp in EXPERIMENTS:
        planned = exp.runs(quick=quick)
        assert len(planned) >= 2, exp.id
        assert len({p.label for p in planned}) == len(planned), exp.id
        for run in planned:
            run.config.validate()
        if exp.chart == "setting":  # the swept setting really varies
            assert len({getattr(p.config, exp.setting) for p in planned}) == len(planned)


def test_the_plans_are_the_ones_the_issue_asks_for():
    overfit = BY_ID["overfitting"].runs()
    assert {p.config.train_limit for p in overfit} == {1000}
    assert {p.config.dropout for p in overfit} == {0.0, 0.5}
    assert len({p.config.seed for p in overfit}) >= 2  # averaged over seeds
    norm = BY_ID["normalization"].runs()
    assert {(p.config.normalization, p.config.optimizer) for p in norm} == {
        (n, o) for n in ("none", "unit", "center") for o in ("adam", "sgd")
    }
    assert [p.config.kernel for p in BY_ID["kernel_size"].runs()] == [1, 3, 5, 7]
    assert [p.config.filters for p in BY_ID["filters"].runs()] == [2, 4, 8, 16, 32, 64]
    assert [p.config.batch_size for p in BY_ID["batch_size"].runs()] == [16, 32, 64, 128, 256, 512]
    assert len({p.config.seed for p in BY_ID["seeds"].runs()}) >= 4


def test_an_unknown_experiment_names_the_known_ones():
    with pytest.raises(ConfigError, match="nope: not an experiment .*overfitting"):
        experiment("nope")


def test_val_loss_rise_is_final_minus_minimum():
    run = fake_run(LabConfig(), [0.5, 0.3, 0.35, 0.4], 1.0, 0.9)
    assert val_loss_rise(run) == pytest.approx(0.1)


def test_the_overfitting_finding_averages_over_seeds():
    exp = BY_ID["overfitting"]
    planned = exp.runs()
    losses = {0.0: [0.5, 0.3, 0.36], 0.5: [0.5, 0.28, 0.29]}
    results = [
        fake_run(p.config, losses[p.config.dropout], 1.0, 0.91 + p.config.dropout / 50 + i / 1000)
        for i, p in enumerate(planned)
    ]
    finding = ExperimentResult(exp, planned, results, False).finding
    assert finding["val_loss_rise_without_dropout"] == pytest.approx(0.06)
    assert finding["val_loss_rise_with_dropout"] == pytest.approx(0.01)
    assert finding["test_accuracy_with_dropout"] > finding["test_accuracy_without_dropout"]
    assert finding["best_epoch_without_dropout"] == 2
    assert finding["gap_without_dropout"] == pytest.approx(
        1.0 - finding["test_accuracy_without_dropout"]
    )
    assert finding["seeds"] == sorted({p.config.seed for p in planned})


def test_a_diverged_run_gives_strict_json():
    exp = BY_ID["normalization"]
    planned = exp.runs(quick=True)
    results = [fake_run(p.config, [math.nan], 0.1, 0.098) for p in planned]
    report = ExperimentResult(exp, planned, results, True).to_dict()
    text = json.dumps(report, allow_nan=False)  # NaN would raise here
    assert json.loads(text)["finding"]["diverged"]


def test_a_cancelled_experiment_keeps_its_finished_runs(mnist_dir):
    from trainer.data import load_mnist

    data = load_mnist(mnist_dir)
    cancel = threading.Event()
    kept: list[str] = []

    def on_result(index: int, run: PlannedRun, result: RunResult) -> None:
        kept.append(run.label)
        cancel.set()  # stop after the first run

    outcome = run_experiment(BY_ID["filters"], data, quick=True, cancel=cancel, on_result=on_result)
    assert outcome.cancelled
    assert not outcome.results[0].cancelled and outcome.results[-1].cancelled
    assert [row["filters"] for row in outcome.finding["rows"]] == [2]
    assert kept[0] == "filters 2"


@pytest.mark.slow
def test_overfitting_experiment_shows_overfitting_and_dropout_helps(mnist_dir):
    """The issue's bar, on real MNIST with the default plan: without dropout the test-set loss
    ends at least 10% above its minimum; with dropout the test accuracy is higher and the
    final test-set loss lower."""
    from trainer.data import load_mnist

    outcome = run_experiment(BY_ID["overfitting"], load_mnist(mnist_dir))
    f = outcome.finding
    assert f["val_loss_rise_without_dropout"] >= 0.10 * f["min_val_loss_without_dropout"]
    assert f["test_accuracy_with_dropout"] > f["test_accuracy_without_dropout"]
    assert f["final_val_loss_with_dropout"] < f["final_val_loss_without_dropout"]
    assert f["train_accuracy_without_dropout"] > 0.99  # it fits the 1,000 images
    report = outcome.to_dict()
    assert {"label", "test_accuracy", "train_accuracy", "gap", "fit_seconds", "params"} <= set(
        report["runs"][0]
    )


def test_the_committed_reference_covers_every_experiment():
    ref = reference()
    assert ref["machine"] and ref["date"]
    for exp in EXPERIMENTS:
        entry = ref["experiments"][exp.id]
        assert len(entry["runs"]) == len(exp.runs()), exp.id
        assert entry["seconds"] > 0
