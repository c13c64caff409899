"""The `kviz` command: no arguments opens the app; subcommands work headless.

Each group of subcommands lives in its own module under `kviz.commands` and is
imported only when its command runs, so `kviz --version` and the app start fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from kviz import __version__

# subcommand -> module in kviz.commands that defines `add_parser(subparsers)`;
# the parser it adds sets `func(args) -> int`.
COMMANDS = {
    "lab": "kviz.commands.lab",
    "quiz": "kviz.commands.study",
    "review": "kviz.commands.study",
    "stats": "kviz.commands.study",
    "history": "kviz.commands.study",
    "bank": "kviz.commands.bank",
    "export": "kviz.commands.export",
    "class": "kviz.commands.classroom",
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The top-level parser; only the module of the command being run is imported."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database path or SQLAlchemy URL (default: user data folder)")
    common.add_argument("--mnist-dir", help="folder with the four MNIST *-ubyte.gz files")
    parser = argparse.ArgumentParser(
        prog="kviz", description="Learn the basics of convolutional networks.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"kviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # The command is the first word left once the top-level options (and their values) are out.
    _, rest = common.parse_known_args(argv)
    wanted = next((a for a in rest if not a.startswith("-")), None)
    modules = {COMMANDS[wanted]} if wanted in COMMANDS else dict.fromkeys(COMMANDS.values())
    for name in modules:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    if args.command is None:
        from kviz.ui.app import main as run_app

        return run_app(db=args.db, mnist_dir=args.mnist_dir)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # piped into a reader that stopped early, e.g. `| head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
