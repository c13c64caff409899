"""Every guided experiment's default plan, timed, with the finding it reaches.

    python bench/experiments.py --mnist-dir DIR [--ids a,b,...] [--write PATH]

Each experiment runs as the app runs it (trainer.experiments.run_experiment). Prints each
run's test accuracy and fit time, the experiment's wall-clock seconds against the two-minute
budget, and the load average before and after (the machine may be shared). `--write` saves
the reference the Experiments screen quotes (trainer/experiments_reference.json), replacing
the entries of the experiments it ran and keeping the others.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.quest import machine  # noqa: E402
from trainer import load_mnist  # noqa: E402
from trainer.experiments import BY_ID, run_experiment  # noqa: E402

BUDGET_S = 120


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", required=True)
    parser.add_argument("--ids", default=",".join(BY_ID), help="comma-separated experiment ids")
    parser.add_argument("--write", type=Path, help="save the reference JSON here")
    args = parser.parse_args()
    data = load_mnist(args.mnist_dir)
    print(f"data: {data.source}; machine: {machine()}")
    entries = {}
    for exp_id in args.ids.split(","):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        outcome = run_experiment(BY_ID[exp_id], data)
        seconds = time.perf_counter() - started
        report = outcome.to_dict()
        report |= {"seconds": round(seconds, 1), "load_average": [round(load, 2)]}
        report["load_average"].append(round(os.getloadavg()[0], 2))
        entries[exp_id] = report
        verdict = "within" if seconds <= BUDGET_S else "OVER"
        print(
            f"{exp_id}: {seconds:.0f} s ({verdict} the {BUDGET_S} s budget), load "
            f"{report['load_average'][0]:.1f} -> {report['load_average'][1]:.1f}"
        )
        for run in report["runs"]:
            print(
                f"  {run['label']:>28}  {run['test_accuracy']:.4f}  fit {run['fit_seconds']:.1f} s"
            )
    if args.write:
        earlier = json.loads(args.write.read_text()) if args.write.exists() else {}
        reference = {
            "machine": machine(),
            "date": datetime.date.today().isoformat(),
            "note": "measured by bench/experiments.py on a 2-core VM shared with other work",
            "experiments": {**earlier.get("experiments", {}), **entries},
        }
        args.write.write_text(json.dumps(reference, indent=1) + "\n")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
