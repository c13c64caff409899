"""`kviz export attempts|runs --csv -o FILE [--learner NAME]`: records for a spreadsheet."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Add `kviz export`."""
    export = subparsers.add_parser("export", help="write answers or lab runs as CSV")
    export.add_argument("what", choices=("attempts", "runs"))
    export.add_argument("--csv", action="store_true", required=True, help="CSV (UTF-8, header)")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument("--learner", metavar="NAME", help="one learner (default: everyone)")
    export.add_argument("--db", default=argparse.SUPPRESS, help="database path or URL")
    export.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kviz.bank.loader import BankError, load_bank_and_user
    from kviz.exchange.common import ExchangeError
    from kviz.exchange.records_csv import write_attempts_csv, write_runs_csv
    from kviz.paths import user_bank_dir
    from kviz.store.database import DatabaseError, open_database
    from kviz.store.records import find_learner

    try:
        db = open_database(getattr(args, "db", None))
    except DatabaseError as e:
        print(f"kviz: error: {e}", file=sys.stderr)
        return 2
    try:
        learner_id = None
        if args.learner is not None:
            learner = find_learner(db, args.learner)
            if learner is None:
                print(f"kviz: error: --learner: no learner named {args.learner!r}", file=sys.stderr)
                return 2
            learner_id = learner.id
        out = Path(args.output)
        if args.what == "attempts":
            try:
                bank, _ = load_bank_and_user(user_bank_dir())
            except BankError:
                bank = None  # the type column stays empty; the answers are still exported
            n = write_attempts_csv(db, out, bank, learner_id)
        else:
            n = write_runs_csv(db, out, learner_id)
    except ExchangeError as e:
        print(f"kviz: error: {e}", file=sys.stderr)
        return 2
    finally:
        db.close()
    noun = "answer" if args.what == "attempts" else "lab run"
    print(f"Wrote {n} {noun}{'s' if n != 1 else ''} to {out}.")
    return 0
