"""How Kviz teaches each guided experiment: the prediction asked first, what the runs say.

`trainer.experiments.EXPERIMENTS` says what to train; a `Guide` here says how to teach it:
- the bank question the learner answers as a prediction before running (questions/*.yaml,
  `lab: experiment:<id>`), graded like any quiz answer against the reference result;
- `observed`, the bank choice the learner's own runs support, so the app can say whether
  the prediction held on their machine;
- `explain`, the explanation quoting their own numbers.
The questions a learner then answers about their own runs are in kviz.experiments.own_runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kviz.bank.schema import LETTERS
from kviz.quiz.answers import Answer
from kviz.quiz.items import QuizItem

Finding = Mapping[str, Any]


@dataclass(frozen=True)
class Guide:
    experiment_id: str
    prediction: str  # the bank question answered before running
    observed: Callable[[Finding], int | None]  # bank choice index the runs support, if any
    explain: Callable[[Finding], str]


def held(guide: Guide, item: QuizItem, answer: Answer, finding: Finding) -> bool | None:
    """Whether the learner's prediction matches what their runs showed (None: runs unclear)."""
    seen = guide.observed(finding)
    if seen is None or not answer.choices:
        return None
    picked = {item.key.choice_order[d] for d in answer.choices}
    return picked == {seen}


def observed_choice(guide: Guide, item: QuizItem, finding: Finding) -> str | None:
    """The option the runs support, as the learner saw it ("b) ..."), or None."""
    seen = guide.observed(finding)
    if seen is None:
        return None
    shown = item.key.choice_order.index(seen)
    return f"{LETTERS[shown]}) {item.choices[shown]}"


def pct(value: float | None) -> str:
    """0.9135 -> '91.4%'; a missing value (a diverged run) -> 'n/a'."""
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.1%}"


def points(value: float) -> str:
    """A difference of accuracies in percentage points: 0.0123 -> '1.23 points'."""
    return f"{100 * value:.2f} points"


# --- 1. Overfitting and dropout -------------------------------------------------------------


def _overfitting_observed(f: Finding) -> int | None:
    without_min = f["min_val_loss_without_dropout"]
    rise = f["val_loss_rise_without_dropout"] / without_min if without_min else 0.0
    acc_diff = f["test_accuracy_with_dropout"] - f["test_accuracy_without_dropout"]
    loss_diff = f["final_val_loss_with_dropout"] - f["final_val_loss_without_dropout"]
    if acc_diff < 0 and loss_diff > 0:
        return 2  # dropout made both worse
    if abs(acc_diff) < 0.002 and abs(loss_diff) < 0.01:
        return 3  # no difference
    if rise < 0.05:
        return 1  # the loss did not turn back up
    if acc_diff > 0 and loss_diff < 0:
        return 0
    return None


def _overfitting_explain(f: Finding) -> str:
    seeds = ", ".join(str(s) for s in f.get("seeds", []))
    return (
        f"Averaged over your seeds ({seeds}): without dropout your model reached "
        f"{pct(f['train_accuracy_without_dropout'])} training accuracy but "
        f"{pct(f['test_accuracy_without_dropout'])} on the test set. Its test-set loss (scored on "
        "the first 2,000 test images after each epoch) was "
        f"lowest at {f['min_val_loss_without_dropout']:.3f} around epoch "
        f"{f['best_epoch_without_dropout']:.0f}, then climbed to "
        f"{f['final_val_loss_without_dropout']:.3f}: from there on it learned the 1,000 "
        "images by heart (overfitting), and its wrong answers grew more confident. With "
        f"dropout the training accuracy was {pct(f['train_accuracy_with_dropout'])}, the "
        f"test-set loss ended at {f['final_val_loss_with_dropout']:.3f} and the test accuracy "
        f"at {pct(f['test_accuracy_with_dropout'])}. Dropout zeroes half the hidden units at "
        "each step, so no unit can rely on another's memorised detail. Both runs fit the "
        "training images almost perfectly, so the train-test gap moved only "
        f"{points(f['gap_without_dropout'] - f['gap_with_dropout'])}: the test-set loss and "
        "test accuracy show the effect better than the gap."
    )


# --- 2. Normalizing the pixels --------------------------------------------------------------


def _normalization_observed(f: Finding) -> int | None:
    drop = f["raw_drop"]
    accuracy = f["test_accuracy"]
    sgd, adam = drop.get("sgd"), drop.get("adam")
    if sgd is None or adam is None:
        return None
    raw = [accuracy[o].get("none") or 0.0 for o in ("sgd", "adam")]
    if max(raw) < 0.2:
        return 3
    if sgd > adam + 0.01:
        return 0
    if adam > sgd + 0.01:
        return 1
    return 2


def _normalization_explain(f: Finding) -> str:
    acc = f["test_accuracy"]
    names = (("none", "raw 0-255"), ("unit", "[0, 1]"), ("center", "[-0.5, 0.5]"))

    def row(opt: str) -> str:
        return ", ".join(f"{shown} {pct(acc.get(opt, {}).get(n))}" for n, shown in names)

    diverged = f.get("diverged") or []
    blew_up = (
        f" The loss of {', '.join(diverged)} became infinite (NaN): the run diverged and "
        "predicts one class for every image."
        if diverged
        else ""
    )
    return (
        f"Your test accuracies. Adam: {row('adam')}. SGD: {row('sgd')}. Raw pixels cost SGD "
        f"{points(f['raw_drop'].get('sgd', math.nan))} and Adam "
        f"{points(f['raw_drop'].get('adam', math.nan))} against their best scaling.{blew_up} "
        "A weight's gradient is proportional to its input, so pixels of 0-255 make the "
        "first layer's gradients about 255 times larger than pixels of 0-1. Plain SGD "
        "moves each weight by the learning rate times its gradient and overshoots; Adam "
        "divides each step by a running estimate of the gradient's size, so the scale "
        "mostly cancels. Scaling to [0, 1] or centring on 0 keeps every optimizer's steps "
        "in the range its learning rate was chosen for."
    )


# --- 3. Kernel size -------------------------------------------------------------------------


def _rows(f: Finding) -> list[Mapping[str, Any]]:
    rows: list[Mapping[str, Any]] = f.get("rows", [])
    return rows


def _by_value(f: Finding) -> dict[Any, Mapping[str, Any]]:
    return {row[f["setting"]]: row for row in _rows(f)}


def _kernel_observed(f: Finding) -> int | None:
    rows = _by_value(f)
    if 1 not in rows or 3 not in rows:
        return None
    diff = rows[3]["test_accuracy"] - rows[1]["test_accuracy"]
    return 0 if diff > 0.01 else 2 if diff < -0.01 else 1


def _kernel_explain(f: Finding) -> str:
    parts = "; ".join(
        f"{k}x{k}: {pct(r['test_accuracy'])}, {r['params']:,} parameters, "
        f"{r['macs']:,} multiply-adds, {r['fit_seconds']:.1f} s"
        for k, r in _by_value(f).items()
    )
    return (
        f"Your runs: {parts}. A 1x1 kernel looks at one pixel, so each of its 8 filters "
        "can only rescale the image: it finds no edge, corner or stroke, and the model "
        "is little more than a linear classifier on pooled pixels. From 3x3 on, each "
        "output mixes a neighbourhood, which is what lets a CNN find shapes. Larger "
        "kernels cost more multiply-adds per output but leave a smaller map (28 - k + 1 "
        "pixels a side), so the Dense layer, which holds most of the parameters, shrinks: "
        "the parameter count falls as the kernel grows."
    )


# --- 4. Number of filters -------------------------------------------------------------------


def _filters_observed(f: Finding) -> int | None:
    accs = [r["test_accuracy"] for r in _rows(f)]
    if len(accs) < 3:
        return None
    if max(accs) - min(accs) < 0.005:
        return 3
    if accs.index(max(accs)) < len(accs) - 2 and accs[-1] < max(accs) - 0.005:
        return 2
    # Accuracy per parameter: the last two doublings against the first two (one run per
    # value is noisy, so pairs of steps, not single ones).
    rows = _rows(f)
    first = (accs[2] - accs[0]) / (rows[2]["params"] - rows[0]["params"])
    last = (accs[-1] - accs[-3]) / (rows[-1]["params"] - rows[-3]["params"])
    return 0 if last < first else 1


def _filters_explain(f: Finding) -> str:
    rows = _rows(f)
    parts = "; ".join(
        f"{r['filters']}: {pct(r['test_accuracy'])}, {r['params']:,} parameters, "
        f"{r['fit_seconds']:.1f} s"
        for r in rows
    )
    gains = ", ".join(f"{100 * g:+.2f}" for g in f.get("accuracy_gains", []))
    per_point = ""
    if len(rows) >= 3:
        pairs = ((rows[0], rows[2]), (rows[-3], rows[-1]))
        costs = [
            f"{a['filters']} to {b['filters']} filters added {b['params'] - a['params']:,} "
            f"parameters for {100 * (b['test_accuracy'] - a['test_accuracy']):+.2f} points"
            for a, b in pairs
        ]
        per_point = f" Going from {costs[0]}; from {costs[1]}."
    return (
        f"Your runs (filters: test accuracy, parameters, fit time): {parts}. Each doubling "
        f"added these points of accuracy: {gains}.{per_point} Parameters and multiply-adds "
        "double with "
        "the filters (each filter adds its own 3x3 weights and a slice of the Dense layer), "
        "but a few filters already find the strokes that tell most digits apart: past that, "
        "each doubling buys less accuracy for twice the cost (diminishing returns). With "
        "one run per value, a step of under about half a point may be the seed's doing "
        "(see the seeds experiment)."
    )


# --- 5. Batch size and speed ----------------------------------------------------------------


def _batch_observed(f: Finding) -> int | None:
    rows = _rows(f)
    if len(rows) < 2:
        return None
    speed = rows[-1]["images_per_s"] / rows[0]["images_per_s"]
    if speed < 0.8:
        return 3
    if speed <= 1.25:
        return 2
    accs = [r["test_accuracy"] for r in rows]
    return 0 if accs[-1] < max(accs) - 0.005 else 1


def _batch_explain(f: Finding) -> str:
    rows = _rows(f)
    parts = "; ".join(
        f"{r['batch_size']}: {r['images_per_s']:,.0f} images/s, {r['fit_seconds']:.1f} s, "
        f"{pct(r['test_accuracy'])}"
        for r in rows
    )
    return (
        f"Your runs (batch: speed, fit time, test accuracy after one epoch): {parts}. Each "
        "batch is one weight update and one round trip from Python to TensorFlow, and the "
        "reference model is so small that the round trip costs more than the arithmetic: "
        "bigger batches make fewer trips, so more images per second. But one epoch of "
        "batch 512 makes 118 updates where batch 32 makes 1,875, so after the same epochs "
        "the big-batch model has learned less. A larger batch usually needs a larger "
        "learning rate or more epochs to catch up."
    )


# --- 6. Same settings, different seeds ------------------------------------------------------


def _seeds_observed(f: Finding) -> int | None:
    spread = f.get("range")
    if spread is None or not math.isfinite(spread) or len(f.get("accuracies", [])) < 2:
        return None
    for index, limit in enumerate((0.001, 0.015, 0.05)):
        if spread < limit:
            return index
    return 3


def _seeds_explain(f: Finding) -> str:
    accs = ", ".join(
        f"seed {s}: {pct(a)}"
        for s, a in zip(f.get("seeds", []), f.get("accuracies", []), strict=False)
    )
    return (
        f"Your runs: {accs}. Mean {pct(f['mean'])}, standard deviation "
        f"{points(f['spread'])}, best minus worst {points(f['range'])}. The seed sets the "
        "starting weights and the order of the batches, and a small model trained for a few "
        "epochs ends in a slightly different place each time. So a change of settings that "
        "gains less than this spread on one run may be luck: compare means over several "
        "seeds, and call a difference real only when it is clearly larger than the spread."
    )


GUIDES: Mapping[str, Guide] = {
    g.experiment_id: g
    for g in (
        Guide("overfitting", "exp-overfitting", _overfitting_observed, _overfitting_explain),
        Guide(
            "normalization", "exp-normalization", _normalization_observed, _normalization_explain
        ),
        Guide("kernel_size", "exp-kernel-size", _kernel_observed, _kernel_explain),
        Guide("filters", "exp-filters", _filters_observed, _filters_explain),
        Guide("batch_size", "exp-batch-size", _batch_observed, _batch_explain),
        Guide("seeds", "exp-seeds", _seeds_observed, _seeds_explain),
    )
}


def guide(experiment_id: str) -> Guide:
    return GUIDES[experiment_id]
