"""`kviz lab versus`: the Keras vs PyTorch lab without the window.

Progress goes to stderr; stdout gets the table, or with --json only the JSON object, so
`kviz lab versus --json > figures.json` keeps a clean file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from kviz.commands.lab import _add_common, _fail, _load, data_line


def add_parser(labs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `lab versus` to the `lab` subcommands."""
    parser = labs.add_parser(
        "versus", help="the same model trained with Keras and with PyTorch, timed side by side"
    )
    _add_common(parser)
    parser.add_argument("--rounds", type=int, default=2, help="runs per side (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="CPU threads per side (default 1; 0: each framework's own default)",
    )
    parser.add_argument(
        "--keras-torch",
        action="store_true",
        help="add a third side: the Keras program on Keras' torch backend",
    )
    parser.set_defaults(func=run_versus)


def run_versus(args: argparse.Namespace) -> int:
    """Check PyTorch and the settings first (one line if not), then load MNIST and run."""
    from trainer import TrainerError
    from trainer.versus import check_settings, versus

    try:
        check_settings(
            epochs=args.epochs,
            rounds=args.rounds,
            train_limit=args.train_limit,
            threads=args.threads,
        )
        data = _load(args)
        print(data_line(data), file=sys.stderr)
        result = versus(
            data,
            epochs=args.epochs,
            rounds=args.rounds,
            seed=args.seed,
            train_limit=args.train_limit,
            keras_torch=args.keras_torch,
            threads=args.threads,
            listener=_progress_printer(),
        )
    except TrainerError as exc:
        return _fail(exc)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print_table(result)
    return 0


def print_table(result: Any) -> None:
    """The medians per side, one row per figure."""
    from trainer.versus import METRICS

    sides = list(result.sides.values())
    print(f"{'':16}" + "".join(f"{s.label:>24}" for s in sides))
    formats = {"test_accuracy": "{:.4f}", "step_ms": "{:.2f}"}
    for metric in METRICS:
        cells = "".join(
            f"{formats.get(metric, '{:.2f}').format(s.median(metric)):>24}" for s in sides
        )
        print(f"{metric:16}{cells}")
    diff = result.same_init_max_abs_diff
    threads = result.threads or "default"
    print(
        f"medians of {result.rounds} round(s), {result.epochs} epoch(s) on {result.n_train:,} "
        f"images, {threads} thread(s) per side; before training the outputs differed by at "
        f"most {'n/a' if diff is None else f'{diff:.1e}'}"
    )


def _progress_printer() -> Any:
    """A listener that redraws one progress line on a terminal, and prints each run's end."""
    live = sys.stderr.isatty()
    clear = "\r\033[K" if live else ""
    last = [0.0]

    def listener(event: Any) -> None:
        where = f"round {event.round}/{event.rounds} {event.side}"
        if event.phase == "done":
            print(f"{clear}{where}: done", file=sys.stderr)
        elif live and time.monotonic() - last[0] > 0.1:
            last[0] = time.monotonic()
            detail = f"step {event.step}/{event.steps}" if event.phase == "train" else event.phase
            print(f"\r{where}: {detail}\033[K", end="", file=sys.stderr, flush=True)

    return listener
