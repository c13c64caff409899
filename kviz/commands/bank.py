"""`kviz bank check [PATH...]`: validate the question bank and count its questions."""

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
