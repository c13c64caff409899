"""`kviz lab`: the trainer's labs without a window (the seed program, and sweeps over it).

Cheap to import: the trainer (and with it numpy and TensorFlow) loads only when a
subcommand runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, TextIO

SWEEP_TYPES = {"filters": int, "kernel": int, "epochs": int, "dropout": float}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `lab reference` and `lab sweep`, each setting `func(args) -> int`."""
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
        choices=["filters", "kernel", "dropout", "normalization", "epochs"],
        help="the setting to vary",
    )
    sweep.add_argument("--values", required=True, help="comma-separated values, e.g. 4,8,16")
    _add_common(sweep)
    sweep.add_argument("--seed", type=int, help="random seed (default: the lab's, 1)")
    sweep.set_defaults(func=run_sweep)

    from kviz.commands.versus import add_parser as add_versus

    add_versus(labs)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (default 3)")
    parser.add_argument(
        "--mnist-dir",
        default=argparse.SUPPRESS,
        help="folder with the four MNIST *-ubyte.gz files (default: $KVIZ_MNIST_DIR, "
        "the download cache, the mirrors, then the offline sample)",
    )
    parser.add_argument("--train-limit", type=int, help="train on the first N images only")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")


def run_reference(args: argparse.Namespace) -> int:
    """The seed program, step by step, then the figures a learner compares."""
    from trainer import TrainerError, train

    try:
        config = _config(args)
        config.validate()
        data = _load(args)
        n_train = min(len(data.train_images), args.train_limit or len(data.train_images))
        print(f"data: {data.source}")
        print((n_train, 28, 28, 1))
        print((len(data.test_images), 28, 28, 1))
        result = train(config, data, listener=_progress_printer(sys.stdout))
    except TrainerError as exc:
        return _fail(exc)
    print(f"predicted: {[p.label for p in result.predictions]}")
    print(f"truth:     {[p.truth for p in result.predictions]}")
    print(
        f"test accuracy {result.test_accuracy:.4f}, test loss {result.test_loss:.4f}, "
        f"{result.params:,} parameters, fit {result.fit_seconds:.1f} s ({result.source})"
    )
    if args.json:
        print(json.dumps(result.to_dict()))
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    """Train once per value and print the comparison table."""
    from trainer import TrainerError, comparison_table, sweep
    from trainer.sweep import sweep_configs

    try:
        values = _parse_values(args.param, args.values)
        config = _config(args)
        sweep_configs(config, args.param, values)
        data = _load(args)
        print(f"data: {data.source}")
        printer = _progress_printer(sys.stdout)
        announced: set[int] = set()

        def listener(index: int, event: Any) -> None:
            if index not in announced:
                announced.add(index)
                print(f"{args.param} = {values[index]}:")
            printer(event)

        results = sweep(config, args.param, values, data, listener=listener)
    except TrainerError as exc:
        return _fail(exc)
    rows = comparison_table(results, args.param)
    print(f"{args.param:>13}  test acc  train-val gap  parameters  fit s")
    for row in rows:
        print(
            f"{row.value!s:>13}  {row.test_accuracy:8.4f}  {row.gap:+13.4f}  "
            f"{row.params:10,}  {row.fit_seconds:5.1f}"
        )
    if args.json:
        print(json.dumps([vars(row) for row in rows]))
    return 0


def _config(args: argparse.Namespace) -> Any:
    """The LabConfig the options ask for; settings not given keep the lab's defaults."""
    from trainer import LabConfig

    given = {"epochs": args.epochs, "seed": args.seed, "train_limit": args.train_limit}
    return LabConfig(**{key: value for key, value in given.items() if value is not None})


def _load(args: argparse.Namespace) -> Any:
    """MNIST from --mnist-dir (or the usual sources), with download progress on stderr."""
    from trainer import load_mnist

    def progress(name: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rdownloading {name}: {done:,}/{total:,} bytes", end="", file=sys.stderr)
        elif done == total:
            print(f"downloaded {name} ({total:,} bytes)", file=sys.stderr)

    data = load_mnist(getattr(args, "mnist_dir", None), progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return data


def _parse_values(param: str, text: str) -> list[Any]:
    """ "4,8,16" -> [4, 8, 16], typed as the swept setting is; a bad value names the setting."""
    from trainer import ConfigError

    kind = SWEEP_TYPES.get(param, str)
    values = []
    for part in text.split(","):
        part = part.strip()
        try:
            values.append(kind(part))
        except ValueError:
            raise ConfigError(f"{param}: {part!r} is not a valid value") from None
    return values


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
