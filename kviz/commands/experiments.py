"""`kviz lab experiments` and `kviz lab experiment ID`: the guided experiments without a window.

`experiment` trains the experiment's runs, prints each run's figures and the finding, and
with --db or --learner saves the runs (and a --predict answer, graded like a quiz answer)
to the learner's records, where the app's Compare and Home see them.
"""

from __future__ import annotations

import argparse
import json
import uuid
from typing import Any

from kviz.commands.lab import _add_common, _fail, _load, _records, _runs_printer


def add_parsers(labs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `lab experiments` (the list) and `lab experiment ID` (run one)."""
    listing = labs.add_parser("experiments", help="the guided experiments, one line each")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(func=run_list)

    one = labs.add_parser("experiment", help="run one guided experiment and print its finding")
    one.add_argument("id", metavar="ID", help="an experiment of `kviz lab experiments`")
    one.add_argument("--quick", action="store_true", help="a smaller version, for a quick look")
    one.add_argument(
        "--predict",
        metavar="ANSWER",
        help="your prediction (the option's letter) for the experiment's question; "
        "with --db or --learner it is saved as an attempt",
    )
    _add_common(one, settings=False)
    one.add_argument("--db", default=argparse.SUPPRESS, help="save the runs in this database")
    one.add_argument("--learner", metavar="NAME", help="save the runs as this learner's")
    one.set_defaults(func=run_one)


def run_list(args: argparse.Namespace) -> int:
    from trainer.experiments import EXPERIMENTS

    rows = [{"id": e.id, "title": e.title, "question": e.question} for e in EXPERIMENTS]
    if args.json:
        print(json.dumps({"experiments": rows}))
        return 0
    for row in rows:
        print(f"{row['id']:>13}  {row['title']}: {row['question']}")
    print("Run one with: kviz lab experiment ID [--quick] [--predict LETTER]")
    return 0


def run_one(args: argparse.Namespace) -> int:
    """Run the experiment, print the runs and the finding; save them when asked."""
    from kviz.experiments.flow import explain, grade_prediction, prediction_item
    from trainer import ConfigError, TrainerError
    from trainer.experiments import experiment, run_experiment

    try:
        exp = experiment(args.id)
        planned = exp.runs(quick=args.quick)
        predicted = None
        if args.predict is not None:
            item = prediction_item(exp.id, in_bank_order=True)
            try:
                predicted = (item, *grade_prediction(item, args.predict))
            except ValueError as exc:
                raise ConfigError(f"--predict: {exc}") from None
        db, learner = _records(args)
        data = _load(args)
    except TrainerError as exc:
        return _fail(exc)
    print(f"{exp.title} ({len(planned)} runs on {data.source})")
    print(exp.question)
    shown = prediction_item(exp.id, in_bank_order=True)
    for letter, choice in zip("abcdef", shown.choices, strict=False):
        print(f"  {letter}) {choice}")
    sitting = str(uuid.uuid4())
    on_result = None
    if db is not None:
        from kviz.store.experiments import save_experiment_run

        def on_result(_index: int, run: Any, result: Any) -> None:
            save_experiment_run(
                db,
                learner.id,
                result.to_dict(),
                experiment=exp.id,
                sitting=sitting,
                label=run.label,
                planned=len(planned),
            )

    try:
        listener = _runs_printer([p.label for p in planned])
        outcome = run_experiment(
            exp, data, quick=args.quick, listener=listener, on_result=on_result
        )
        if db is not None and predicted is not None:
            from kviz.experiments.flow import record_prediction

            record_prediction(db, learner.id, *predicted)
    except TrainerError as exc:
        return _fail(exc)
    finally:
        if db is not None:
            db.close()
    report = outcome.to_dict()
    print(f"{'run':>28}  test acc  train acc  gap      params  fit s")
    for row in report["runs"]:
        print(
            f"{row['label']:>28}  {row['test_accuracy']:8.4f}  {row['train_accuracy'] or 0:9.4f}"
            f"  {row['gap']:+.4f}  {row['params']:8,}  {row['fit_seconds']:5.1f}"
        )
    print(explain(exp.id, outcome.finding))
    if predicted is not None:
        item, answer, feedback = predicted
        from kviz.experiments.flow import verdict

        agrees = "agrees with" if feedback.correct else "differs from"
        print(f"your prediction: {answer.raw} ({agrees} the reference result)")
        print(verdict(exp.id, item, answer, outcome.finding))
    if db is not None:
        print(f"saved {len(outcome.results)} run(s) for {learner.name}")
    if args.json:
        print(json.dumps(report))
    return 0
