"""Questions about the learner's own runs, asked after an experiment and graded like any other.

Each experiment gets a few questions whose numbers come from the runs just trained ("your
16-filter model had N parameters; how many has the 32-filter one?"). They are built as bank
questions (the same pydantic schema, so the same checks, shuffling and grading) with ids
that start with `own-`; they are recorded as attempts but not scheduled for review, since
the numbers belong to one set of runs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kviz.bank.loader import BankEntry
from kviz.bank.schema import NumericQuestion, SingleQuestion, TrueFalseQuestion
from kviz.experiments.guides import pct, points
from kviz.quiz.items import QuizItem, make_item

OWN_PREFIX = "own-"
Question = NumericQuestion | SingleQuestion | TrueFalseQuestion
Finding = Mapping[str, Any]


def own_run_items(
    experiment_id: str, topic: str, finding: Finding, seed: int = 0
) -> list[QuizItem]:
    """The questions about this experiment's finding, ready to show (none if it is too thin)."""
    try:
        questions = _MAKERS[experiment_id](finding)
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return []  # a cancelled experiment may lack the runs a question needs
    rng = random.Random(seed)
    return [
        make_item(BankEntry(topic, q, "your runs", n), rng)
        for n, q in enumerate(questions, start=1)
        if q is not None
    ]


def _numeric(
    qid: str, prompt: str, answer: float, tolerance: float, explanation: str, unit: str | None
) -> NumericQuestion:
    if not math.isfinite(answer):
        raise ValueError("no finite answer")
    return NumericQuestion(
        id=OWN_PREFIX + qid,
        type="numeric",
        difficulty=2,
        prompt=prompt,
        answer=round(answer, 4),
        tolerance=tolerance,
        unit=unit,
        explanation=explanation,
    )


def _single(qid: str, prompt: str, choices: Sequence[str], key: int, why: str) -> SingleQuestion:
    return SingleQuestion(
        id=OWN_PREFIX + qid,
        type="single",
        difficulty=1,
        prompt=prompt,
        choices=tuple(choices),
        answer="abcdef"[key],
        explanation=why,
    )


def _overfitting(f: Finding) -> list[Question]:
    train, test = f["train_accuracy_without_dropout"], f["test_accuracy_without_dropout"]
    low, end = f["min_val_loss_without_dropout"], f["final_val_loss_without_dropout"]
    return [
        _numeric(
            "overfitting-gap",
            f"Your model without dropout ended at {pct(train)} training and {pct(test)} test "
            "accuracy (averaged over your seeds). What was its train-test gap, in percentage "
            "points?",
            100 * (train - test),
            0.15,
            f"{100 * train:.1f} - {100 * test:.1f} = {100 * (train - test):.1f} points.",
            "points",
        ),
        _numeric(
            "overfitting-rise",
            f"Without dropout, your test-set loss fell to {low:.3f} and ended at {end:.3f}. By "
            "what percentage did it rise from its lowest point?",
            100 * (end - low) / low,
            1.0,
            f"({end:.3f} - {low:.3f}) / {low:.3f} = {100 * (end - low) / low:.0f}%: the "
            "model kept fitting its 1,000 training images while getting worse on new ones.",
            "%",
        ),
    ]


def _normalization(f: Finding) -> list[Question]:
    acc = f["test_accuracy"]["sgd"]
    best, raw = max(v for v in acc.values() if v is not None), acc["none"] or 0.0
    runs = [
        (f"{opt}, {shown}", v)
        for opt, by_norm in f["test_accuracy"].items()
        for norm, shown in (("none", "raw 0-255"), ("unit", "[0, 1]"), ("center", "[-0.5, 0.5]"))
        if (v := by_norm.get(norm)) is not None
    ]
    worst = min(range(len(runs)), key=lambda i: runs[i][1])
    return [
        _numeric(
            "normalization-cost",
            f"With SGD, your best scaling reached {pct(best)} and raw 0-255 pixels {pct(raw)}. "
            "How many percentage points did raw pixels cost SGD?",
            100 * (best - raw),
            0.15,
            f"{100 * best:.1f} - {100 * raw:.1f} = {100 * (best - raw):.1f} points.",
            "points",
        ),
        _single(
            "normalization-worst",
            "Which of your runs ended with the lowest test accuracy?",
            [label for label, _ in runs],
            worst,
            f"{runs[worst][0]} reached {pct(runs[worst][1])}, the lowest of your runs.",
        ),
    ]


def _kernel(f: Finding) -> list[Question]:
    rows = {r["kernel"]: r for r in f["rows"]}
    biggest = max(rows)
    conv = biggest * biggest * 8 + 8
    best = max(rows, key=lambda k: rows[k]["test_accuracy"])
    kernels = sorted(rows)
    return [
        _numeric(
            "kernel-dense",
            f"Your {biggest}x{biggest} model had {rows[biggest]['params']:,} parameters in all. "
            f"Its conv layer has 8 filters of {biggest}x{biggest} weights plus a bias each; the "
            "rest are in the Dense layer. How many parameters has its Dense layer?",
            rows[biggest]["params"] - conv,
            0,
            f"The conv layer has {biggest}x{biggest}x8 + 8 = {conv} parameters, so the Dense "
            f"layer has {rows[biggest]['params']:,} - {conv} = {rows[biggest]['params'] - conv:,}.",
            None,
        ),
        _single(
            "kernel-best",
            "Which kernel size gave your best test accuracy?",
            [f"{k}x{k}" for k in kernels],
            kernels.index(best),
            f"{best}x{best} reached {pct(rows[best]['test_accuracy'])}.",
        ),
    ]


def _filters(f: Finding) -> list[Question]:
    rows = {r["filters"]: r for r in f["rows"]}
    small, large = sorted(rows)[-2:]
    ratio = rows[large]["params"] / rows[small]["params"]
    gain = rows[large]["test_accuracy"] - rows[small]["test_accuracy"]
    return [
        _numeric(
            "filters-params",
            f"Your {small}-filter model had {rows[small]['params']:,} parameters. How many has "
            f"the {large}-filter one?",
            rows[large]["params"],
            round(rows[large]["params"] * 0.005),
            f"Every filter brings its own weights and its own slice of the Dense layer, so "
            f"{ratio:.2f} times the filters' worth: {rows[large]['params']:,} (within 0.5%).",
            None,
        ),
        _numeric(
            "filters-gain",
            f"How many percentage points of test accuracy did going from {small} to {large} "
            "filters add in your runs? (Negative if it lost some.)",
            100 * gain,
            0.05,
            f"{pct(rows[large]['test_accuracy'])} - {pct(rows[small]['test_accuracy'])} = "
            f"{100 * gain:+.2f} points for {rows[large]['params'] - rows[small]['params']:,} "
            "more parameters.",
            "points",
        ),
    ]


def _batch(f: Finding) -> list[Question]:
    rows = f["rows"]
    first, last = rows[0], rows[-1]
    speedup = last["images_per_s"] / first["images_per_s"]
    fastest = max(range(len(rows)), key=lambda i: rows[i]["images_per_s"])
    return [
        _numeric(
            "batch-speedup",
            f"Your batch-{first['batch_size']} run trained {first['images_per_s']:,.0f} images/s "
            f"and your batch-{last['batch_size']} run {last['images_per_s']:,.0f}. How many times "
            "as many images per second is that?",
            speedup,
            0.1,
            f"{last['images_per_s']:,.0f} / {first['images_per_s']:,.0f} = {speedup:.1f} times.",
            "times",
        ),
        _single(
            "batch-fastest",
            "Which batch size trained the most images per second in your runs?",
            [str(r["batch_size"]) for r in rows],
            fastest,
            f"Batch {rows[fastest]['batch_size']}: {rows[fastest]['images_per_s']:,.0f} images/s.",
        ),
    ]


def _seeds(f: Finding) -> list[Question]:
    accs = f["accuracies"]
    spread = f["range"]
    shown = ", ".join(pct(a) for a in accs)
    claim = 0.002  # a 0.2-point gain on one run
    return [
        _numeric(
            "seeds-range",
            f"Your seeds reached {shown}. How many percentage points separate the best from "
            "the worst?",
            100 * spread,
            0.05,
            f"{pct(max(accs))} - {pct(min(accs))} = {100 * spread:.2f} points.",
            "points",
        ),
        TrueFalseQuestion(
            id=OWN_PREFIX + "seeds-real",
            type="truefalse",
            difficulty=2,
            prompt=f"A friend's tweak of the same model reached {pct(f['mean'] + claim)} on "
            f"one run, {points(claim)} above your mean of {pct(f['mean'])}. Judged by "
            "your seeds' best-to-worst range, is that clearly a real improvement?",
            answer=claim > spread,
            explanation=f"Your own seeds were {100 * spread:.2f} points apart, so one run "
            f"{points(claim)} above your mean "
            + ("is outside that range." if claim > spread else "is within what luck gives."),
        ),
    ]


_MAKERS: Mapping[str, Callable[[Finding], list[Question]]] = {
    "overfitting": _overfitting,
    "normalization": _normalization,
    "kernel_size": _kernel,
    "filters": _filters,
    "batch_size": _batch,
    "seeds": _seeds,
}
