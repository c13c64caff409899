"""`kviz bank check|import|export`: validate, bring in and write out questions."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Add `kviz bank check`."""
    bank = subparsers.add_parser("bank", help="work with the question bank")
    bank.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    actions = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate the bank (or the given files or folders)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="default: the installed bank")
    check.add_argument("--json", action="store_true", help="print the counts as JSON")
    check.set_defaults(func=run_check)

    imp = actions.add_parser(
        "import", help="import a GIFT or Moodle XML file into your own question folder"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--into", metavar="DIR", help="default: your bank folder (data folder)")
    imp.add_argument("--topic", metavar="NAME", help="put every question in this topic")
    imp.set_defaults(func=run_import)

    exp = actions.add_parser("export", help="write the bank as GIFT, Moodle XML or an Anki deck")
    exp.add_argument("--format", required=True, choices=("gift", "moodle", "anki"))
    exp.add_argument("-o", "--output", required=True, metavar="FILE")
    exp.add_argument("--topics", nargs="+", metavar="TOPIC", help="default: every topic")
    exp.set_defaults(func=run_export)


def _exchange_error(e: Exception) -> int:
    print(f"kviz: error: {e}", file=sys.stderr)
    return 2


def run_import(args: argparse.Namespace) -> int:
    """Import FILE; print what was imported and what was skipped, with its line or name."""
    from pathlib import Path

    from kviz.bank.loader import BankError
    from kviz.exchange.common import ExchangeError
    from kviz.exchange.questions import import_questions
    from kviz.paths import user_bank_dir

    into = Path(args.into) if args.into else user_bank_dir()
    try:
        summary = import_questions(Path(args.file), into, args.topic)
    except (ExchangeError, BankError) as e:
        return _exchange_error(e)
    print("\n".join(summary.lines()))
    if into.resolve() == user_bank_dir().resolve():
        print(f"Your questions are in {into}; they appear in the quiz topics marked (yours).")
    else:  # only the learner's own folder is loaded beside the bank
        print(f"Written to {into}; copy the files to {user_bank_dir()} to quiz on them.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export the installed bank with the learner's own topics."""
    from pathlib import Path

    from kviz.bank.loader import BankError, load_bank_and_user
    from kviz.exchange.common import ExchangeError
    from kviz.exchange.questions import export_questions
    from kviz.paths import user_bank_dir

    try:
        bank, _ = load_bank_and_user(user_bank_dir())
        print(export_questions(bank, Path(args.output), args.format, args.topics))
    except (ExchangeError, BankError) as e:
        return _exchange_error(e)
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Print counts per topic and type; each problem as `file:line: what is wrong`."""
    import json

    from kviz.bank.loader import read_bank
    from kviz.bank.quality import quality

    if args.paths:
        paths = args.paths
    else:
        from questions import bank_files

        paths = bank_files()
        if not paths:
            print("kviz: error: the installed bank has no topic files", file=sys.stderr)
            return 1
    bank, problems = read_bank(paths)
    counts = bank.counts()
    figures = quality(bank)
    if args.json:
        print(json.dumps(counts | {"quality": figures.to_dict()}, indent=2, sort_keys=True))
    else:
        for kind in ("topics", "types"):
            print(f"{kind}:")
            for name, n in sorted(counts[kind].items()):
                print(f"  {name:<22}{n:>5}")
        print(f"total: {counts['total']} questions")
        print(
            f"key is the longest choice: {figures.longest_key} of {figures.singles} "
            f"single-choice ({figures.longest_key_rate:.0%}); "
            f"repeated checks: {len(figures.repeated_checks)}"
        )
    for line in figures.warnings():
        print(f"kviz: warning: {line}", file=sys.stderr)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"kviz: error: {len(problems)} problem(s) in the bank", file=sys.stderr)
        return 1
    return 0
