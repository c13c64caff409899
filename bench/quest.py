"""The quest's ladder measured honestly: the seed's own script and every rung, in one run.

    python bench/quest.py --mnist-dir DIR [--seeds 1,2,3] [--rungs a,b,...] [--write PATH]

The seed program (as bench/trainer_speed.py runs it: numpy arrays into fit, batch 32, 3
epochs) is timed first and again last, in fresh child processes; between them each rung
trains once per seed in its own child. The top rung's time ratio divides its mean fit time
by the seed script's mean, so both sides see the same load on a shared machine. Prints a
table, the top rung's accuracy and ratio; `--write` saves the reference table the app's
Quest view shows (with the machine, the date and the load average).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.trainer_speed import SEED_PROGRAM, run_child  # noqa: E402
from trainer.presets import LADDER  # noqa: E402

TARGET_SEED1 = 0.993
TARGET_MEAN = 0.9925
TARGET_RATIO = 10.0


def rung_child(name: str, seeds: list[int], mnist_dir: str) -> list[dict[str, Any]]:
    """Train rung `name` once per seed (in this child) and return each run's figures."""
    from trainer import load_mnist
    from trainer.presets import preset_config
    from trainer.seeds import train_seeds

    data = load_mnist(mnist_dir)
    runs = train_seeds(preset_config(name), seeds, data).runs
    return [
        {
            "seed": r.config.seed,
            "test_accuracy": r.test_accuracy,
            "fit_seconds": r.fit_seconds,
            "params": r.params,
            "macs": r.macs,
            "size_bytes": r.size_bytes,
            "train_images_per_s": r.train_images_per_s,
            "infer_ms": r.infer_ms,
            "epochs": r.config.epochs,
        }
        for r in runs
    ]


def seed_script(mnist_dir: str) -> float:
    """Fit seconds of the seed's own Keras script, 3 epochs, seed 1."""
    result = run_child([sys.executable, "-c", SEED_PROGRAM, mnist_dir, "3", "1"], "seed script")
    print(
        f"seed script: fit {result['fit_seconds']:.1f} s, "
        f"test accuracy {result['test_accuracy']:.4f}",
        flush=True,
    )
    return float(result["fit_seconds"])


def machine() -> str:
    """The machine in a few words: CPU model and count, Python and TensorFlow versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", required=True, help="folder with the four MNIST files")
    parser.add_argument("--seeds", default="1,2,3", help="seeds per rung (default 1,2,3)")
    parser.add_argument("--rungs", help="comma-separated rung names (default: the whole ladder)")
    parser.add_argument("--write", type=Path, help="save the reference table (JSON) here")
    parser.add_argument("--note", default="", help="a note saved with the table (e.g. the load)")
    parser.add_argument("--rung-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.rung_child:
        print(json.dumps(rung_child(args.rung_child, seeds, args.mnist_dir)))
        return 0

    names = args.rungs.split(",") if args.rungs else [p.name for p in LADDER]
    load_before = os.getloadavg()
    seed_times = [seed_script(args.mnist_dir)]
    rows: list[dict[str, Any]] = []
    for name in names:
        runs = run_child(
            [
                sys.executable,
                __file__,
                "--rung-child",
                name,
                "--seeds",
                args.seeds,
                "--mnist-dir",
                args.mnist_dir,
            ],
            f"rung {name}",
        )
        accuracies = [r["test_accuracy"] for r in runs]
        fits = [r["fit_seconds"] for r in runs]
        row = {
            "name": name,
            "params": runs[0]["params"],
            "macs": runs[0]["macs"],
            "size_bytes": runs[0]["size_bytes"],
            "epochs": runs[0]["epochs"],
            "seeds": seeds,
            "accuracies": accuracies,
            "fit_seconds": fits,
            "train_images_per_s": sum(r["train_images_per_s"] for r in runs) / len(runs),
            "infer_ms": runs[0]["infer_ms"],
        }
        rows.append(row)
        print(
            f"{name:>13}: "
            + ", ".join(f"{a:.2%}" for a in accuracies)
            + f"  fit {', '.join(f'{f:.1f}' for f in fits)} s",
            flush=True,
        )
    seed_times.append(seed_script(args.mnist_dir))
    seed_fit = sum(seed_times) / len(seed_times)

    from trainer.seeds import mean_spread

    print()
    print(
        f"{'rung':>13} {'params':>8} {'MACs':>9} {'fit s':>7} {'x seed':>6} "
        f"{'img/s':>7}  accuracy (mean +- sd; per seed)"
    )
    for row in rows:
        mean, spread = mean_spread(row["accuracies"])
        fit = sum(row["fit_seconds"]) / len(row["fit_seconds"])
        row["mean"], row["spread"] = mean, spread
        print(
            f"{row['name']:>13} {row['params']:8,} {row['macs']:9,} {fit:7.1f} "
            f"{fit / seed_fit:6.1f} {row['train_images_per_s']:7,.0f}  "
            f"{mean:.2%} +- {spread:.2%}; " + ", ".join(f"{a:.2%}" for a in row["accuracies"])
        )
    load_after = os.getloadavg()
    print(
        f"seed script 3-epoch fit: {' and '.join(f'{t:.1f}' for t in seed_times)} s "
        f"(mean {seed_fit:.1f}); load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    top = next((r for r in rows if r["name"] == LADDER[-1].name), None)
    if top is not None:
        fit = sum(top["fit_seconds"]) / len(top["fit_seconds"])
        first = top["accuracies"][0]
        print(
            f"top rung: seed {top['seeds'][0]} {first:.2%} (target {TARGET_SEED1:.2%}), "
            f"mean {top['mean']:.2%} (target {TARGET_MEAN:.2%}), "
            f"fit {fit:.1f} s = {fit / seed_fit:.1f}x the seed script (target <= "
            f"{TARGET_RATIO:.0f}x)"
        )
    if args.write:
        table = {
            "machine": machine(),
            "date": datetime.date.today().isoformat(),
            "note": args.note,
            "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
            "seed_script_fit_seconds": seed_times,
            "rungs": rows,
        }
        args.write.write_text(json.dumps(table, indent=1) + "\n")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
