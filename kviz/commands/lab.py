"""`kviz lab`: the trainer's labs without a window (the seed program, sweeps, the quest's rungs).

Every lab setting can be given as `--set KEY=VALUE` (the trainer's settings registry parses
and checks it); `lab run` trains a preset of the quest's ladder over one or more seeds and
can save the runs to a learner's records.

Cheap to import: the trainer (and with it numpy and TensorFlow) loads only when a
subcommand runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `lab reference`, `sweep`, `presets` and `run`, each setting `func(args) -> int`."""
    from trainer.settings import SWEEPABLE

    lab = subparsers.add_parser("lab", help="run a CNN lab on MNIST without the window")
    labs = lab.add_subparsers(dest="lab", metavar="LAB", required=True)

    reference = labs.add_parser("reference", help="the seed program: train, test, predict")
    _add_common(reference)
    reference.add_argument("--seed", type=int, help="random seed (default: the lab's, 1)")
    reference.set_defaults(func=run_reference)

    sweep = labs.add_parser("sweep", help="the same lab over several values of one setting")
    sweep.add_argument(
        "--param",
        required=True,
        choices=list(SWEEPABLE),
        help="the setting to vary",
    )
    sweep.add_argument("--values", required=True, help="comma-separated values, e.g. 4,8,16")
    _add_common(sweep)
    sweep.add_argument("--seed", type=int, help="random seed (default: the lab's, 1)")
    sweep.set_defaults(func=run_sweep)

    from kviz.commands.versus import add_parser as add_versus

    add_versus(labs)

    from kviz.commands.experiments import add_parsers as add_experiments

    add_experiments(labs)

    presets = labs.add_parser("presets", help="the quest's ladder of models, reference first")
    presets.add_argument("--json", action="store_true", help="print the ladder as JSON")
    presets.set_defaults(func=run_presets)

    run = labs.add_parser("run", help="train a preset of the ladder over one or more seeds")
    run.add_argument("--preset", required=True, help="a rung of `kviz lab presets`")
    run.add_argument("--seeds", default="1", help="comma-separated seeds, e.g. 1,2,3 (default 1)")
    _add_common(run)
    run.add_argument("--db", default=argparse.SUPPRESS, help="save the runs in this database")
    run.add_argument("--learner", metavar="NAME", help="save the runs as this learner's")
    run.set_defaults(func=run_preset)


def _add_common(parser: argparse.ArgumentParser, settings: bool = True) -> None:
    """--mnist-dir and --json; with `settings`, also --set, --epochs and --train-limit."""
    if settings:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="any lab setting, e.g. --set batch_size=64 --set optimizer=sgd (repeatable)",
        )
        parser.add_argument("--epochs", type=int, help="epochs per run (default: the lab's)")
    parser.add_argument(
        "--mnist-dir",
        default=argparse.SUPPRESS,
        help="folder with the four MNIST *-ubyte.gz files (default: $KVIZ_MNIST_DIR, "
        "the folder chosen in the app, the download cache, the mirrors, then the offline "
        "sample)",
    )
    if settings:
        parser.add_argument("--train-limit", type=int, help="train on the first N images only")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")


def run_reference(args: argparse.Namespace) -> int:
    """The seed program, step by step, then the figures a learner compares."""
    from trainer import TrainerError, train
    from trainer.data import data_label

    try:
        config = _config(args)
        data = _load(args)
        n_train = min(len(data.train_images), args.train_limit or len(data.train_images))
        print(data_line(data))
        print((n_train, 28, 28, 1))
        print((len(data.test_images), 28, 28, 1))
        result = train(config, data, listener=_progress_printer(sys.stdout))
    except TrainerError as exc:
        return _fail(exc)
    print(f"predicted: {[p.label for p in result.predictions]}")
    print(f"truth:     {[p.truth for p in result.predictions]}")
    print(
        f"test accuracy {result.test_accuracy:.4f}, test loss {result.test_loss:.4f}, "
        f"{result.params:,} parameters, fit {result.fit_seconds:.1f} s "
        f"({data_label(result.source, result.n_train, result.n_test)}: {result.source})"
    )
    if args.json:
        print(json.dumps(result.to_dict()))
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    """Train once per value and print the comparison table."""
    from trainer import TrainerError, comparison_table, sweep
    from trainer.sweep import sweep_configs

    try:
        from trainer.settings import parse_values

        values = parse_values(args.param, args.values)
        config = _config(args)
        sweep_configs(config, args.param, values)
        data = _load(args)
        print(data_line(data))
        listener = _runs_printer([f"{args.param} = {v}" for v in values])
        results = sweep(config, args.param, values, data, listener=listener)
    except TrainerError as exc:
        return _fail(exc)
    rows = comparison_table(results, args.param)
    print(f"{args.param:>13}  test acc  train-test gap  parameters  fit s")
    for row in rows:
        print(
            f"{row.value!s:>13}  {row.test_accuracy:8.4f}  {row.gap:+14.4f}  "
            f"{row.params:10,}  {row.fit_seconds:5.1f}"
        )
    if args.json:
        print(json.dumps([vars(row) for row in rows]))
    return 0


def _config(args: argparse.Namespace, base: Any = None) -> Any:
    """The LabConfig the options ask for: `base` (default: the seed's lab), then each
    `--set KEY=VALUE`, then --epochs/--seed/--train-limit; the result is validated."""
    from dataclasses import replace

    from trainer import LabConfig
    from trainer.settings import parse_assignment

    changes = dict(parse_assignment(text) for text in args.set)
    given = {
        "epochs": args.epochs,
        "seed": getattr(args, "seed", None),
        "train_limit": args.train_limit,
    }
    changes |= {key: value for key, value in given.items() if value is not None}
    config = replace(base if base is not None else LabConfig(), **changes)
    config.validate()
    return config


def _load(args: argparse.Namespace) -> Any:
    """MNIST from --mnist-dir (or the usual sources), with download progress on stderr and
    one line of advice there when the offline sample stands in for it."""
    from kviz.data_notice import cli_advice
    from kviz.preferences import PreferencesError, mnist_folder
    from trainer import load_mnist

    try:
        folder = mnist_folder(getattr(args, "mnist_dir", None))
    except PreferencesError as exc:
        print(f"kviz: warning: {exc}; ignoring the remembered MNIST folder", file=sys.stderr)
        folder = None

    def progress(name: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rdownloading {name}: {done:,}/{total:,} bytes", end="", file=sys.stderr)
        elif done == total:
            print(f"downloaded {name} ({total:,} bytes)", file=sys.stderr)

    data = load_mnist(folder, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    advice = cli_advice(data)
    if advice is not None:
        print(advice, file=sys.stderr)
    return data


def data_line(data: Any) -> str:
    """What was loaded, as the first line of a lab's output: source and image counts."""
    return (
        f"data: {data.source}, {len(data.train_images):,} train / "
        f"{len(data.test_images):,} test images"
    )


def run_presets(args: argparse.Namespace) -> int:
    """The ladder: each rung's name, title, change, parameters and multiply-adds."""
    from trainer.presets import ladder_rows

    rows = ladder_rows()
    if args.json:
        print(json.dumps({"presets": rows}))
        return 0
    print(f"{'preset':>13}  {'params':>8}  {'MACs':>9}  change")
    for row in rows:
        print(f"{row['name']:>13}  {row['params']:8,}  {row['macs']:9,}  {row['change']}")
    return 0


def run_preset(args: argparse.Namespace) -> int:
    """Train one rung over the seeds, print mean and spread, and save the runs if asked."""
    from kviz.store.run_models import ModelFileError, folder_for, save_model
    from trainer import TrainerError
    from trainer.data import data_label
    from trainer.presets import preset_config
    from trainer.seeds import parse_seeds, train_seeds

    def keep(_index: int, run: Any) -> None:
        """Save each finished run's model with it, for the app's Predict and Draw (a model that
        cannot be written costs only the model: one warning line, the run is still saved)."""
        if db is not None and not run.cancelled:
            try:
                save_model(run.model, folder_for(db), run.uid)
            except ModelFileError as exc:
                print(f"kviz: warning: {exc}", file=sys.stderr)

    db = None
    try:
        seeds = parse_seeds(args.seeds)
        config = _config(args, preset_config(args.preset))
        db, learner = _records(args)
        data = _load(args)
        print(data_line(data))
        listener = _runs_printer([f"{args.preset}, seed {seed}" for seed in seeds])
        runs = train_seeds(config, seeds, data, listener=listener, on_result=keep)
    except TrainerError as exc:
        if db is not None:
            db.close()
        return _fail(exc)
    report = run_report(args.preset, runs)
    if db is not None:
        from kviz.store.lab_runs import save_lab_run

        try:
            for run in runs.runs:
                save_lab_run(db, learner.id, {**run.to_dict(), "preset": args.preset})
        finally:
            db.close()
        print(f"saved {len(runs.runs)} run(s) for {learner.name}")
    accuracies = ", ".join(f"{a:.2%}" for a in report["accuracies"])
    print(
        f"{args.preset}: test accuracy {report['test_accuracy']:.2%} +- {report['spread']:.2%} "
        f"(seeds {args.seeds}: {accuracies}), {report['params']:,} parameters, "
        f"{report['macs']:,} MACs/image, fit {report['fit_seconds']:.1f} s per seed "
        f"({data_label(report['source'], report['n_train'], report['n_test'])})"
    )
    if args.json:
        print(json.dumps(report))
    return 0


def run_report(preset: str, runs: Any) -> dict[str, Any]:
    """The figures `lab run --json` prints: means over the seeds, the first seed's answers."""
    first = runs.runs[0]
    done = [r for r in runs.runs if not r.cancelled]
    fits = [r.fit_seconds for r in done]
    return {
        "preset": preset,
        "config": first.config.to_dict(),
        "test_accuracy": runs.mean,
        "accuracies": runs.accuracies,
        "spread": runs.spread,
        "seeds": [r.config.seed for r in runs.runs],
        "fit_seconds": sum(fits) / len(fits) if fits else 0.0,
        "fit_seconds_per_seed": fits,
        "train_images_per_s": sum(r.train_images_per_s for r in done) / max(len(done), 1),
        "params": first.params,
        "macs": first.macs,
        "size_bytes": first.size_bytes,
        "infer_ms": first.infer_ms,
        "first5": [p.label for p in first.predictions],
        "truth5": [p.truth for p in first.predictions],
        "n_train": first.n_train,
        "n_test": first.n_test,
        "source": first.source,
    }


def _records(args: argparse.Namespace) -> tuple[Any, Any]:
    """(database, learner) when --db or --learner asks for the runs to be saved, else Nones."""
    if getattr(args, "db", None) is None and args.learner is None:
        return None, None
    from kviz.commands.study import DEFAULT_LEARNER
    from kviz.store.database import DatabaseError, open_database
    from kviz.store.records import get_or_create_learner, last_learner
    from trainer import ConfigError

    try:
        db = open_database(getattr(args, "db", None))
    except DatabaseError as exc:
        raise ConfigError(f"--db: {exc}") from None
    try:
        last = last_learner(db)
        name = args.learner or (last.name if last else DEFAULT_LEARNER)
        return db, get_or_create_learner(db, name)
    except ValueError as exc:
        db.close()
        raise ConfigError(f"--learner: {exc}") from None


def _runs_printer(labels: list[str]) -> Callable[[int, Any], None]:
    """A listener for several runs: each run's label once as it starts, then its progress."""
    printer = _progress_printer(sys.stdout)
    announced: set[int] = set()

    def listener(index: int, event: Any) -> None:
        if index not in announced:
            announced.add(index)
            print(f"{labels[index]}:")
        printer(event)

    return listener


def _progress_printer(out: TextIO) -> Any:
    """A listener that redraws one progress line on a terminal and prints epochs otherwise."""
    live = out.isatty()
    last = [0.0]

    def listener(event: Any) -> None:
        if event.kind == "epoch":
            if live:
                out.write("\r\033[K")
            out.write(
                f"Epoch {event.epoch}/{event.epochs} - loss {event.loss:.4f} - accuracy "
                f"{event.accuracy:.4f} - val_loss {event.val_loss:.4f} - val_accuracy "
                f"{event.val_accuracy:.4f} - {event.elapsed_s:.1f} s\n"
            )
            out.flush()
        elif live and time.monotonic() - last[0] > 0.1:
            last[0] = time.monotonic()
            filled = round(30 * event.batch / event.batches)
            out.write(
                f"\rEpoch {event.epoch}/{event.epochs} [{'=' * filled:<30}] "
                f"{event.batch}/{event.batches} loss {event.loss:.4f} acc {event.accuracy:.4f} "
                f"{event.images_per_s:,.0f} img/s ETA {event.eta_s:.0f} s\033[K"
            )
            out.flush()

    return listener


def _fail(exc: Exception) -> int:
    """One line on stderr, no traceback, a non-zero exit."""
    print(f"kviz: error: {exc}", file=sys.stderr)
    return 2
