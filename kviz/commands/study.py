"""`kviz quiz`, `kviz review` and `kviz stats`: the quiz core in the terminal.

Answers are read one per line, so a quiz can be scripted through stdin; each answer is
recorded the moment it is given. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from typing import TYPE_CHECKING, Any, TextIO

from kviz.bank.schema import LETTERS
from kviz.wording import count

if TYPE_CHECKING:
    from kviz.bank.loader import Bank
    from kviz.quiz.answers import Answer
    from kviz.quiz.items import QuizItem
    from kviz.store.database import Database
    from kviz.store.views import AttemptRecord, Learner

DEFAULT_LEARNER = "default"


class CommandError(Exception):
    """Printed as one `kviz: error: ...` line."""


def _common(p: argparse.ArgumentParser, *, learner: bool = True) -> None:
    p.add_argument("--db", default=argparse.SUPPRESS, help="database path or SQLAlchemy URL")
    if learner:
        p.add_argument("--learner", metavar="NAME", help="who is answering (default: last one)")


def _quiz_options(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--seed", type=int, help="fix the question order and drawn numbers")
    p.add_argument("--bank", action="append", metavar="PATH", help="bank file or folder to use")


def add_parser(subparsers: Any) -> None:
    """Add the quiz, review and stats subcommands."""
    quiz = subparsers.add_parser("quiz", help="answer questions in the terminal")
    quiz.add_argument("--topic", action="append", dest="topics", metavar="T", help="repeatable")
    quiz.add_argument("--count", type=int, default=10, help="number of questions (default 10)")
    quiz.add_argument(
        "--smart",
        action="store_true",
        help="adapt to your history: unseen and weak topics first, recent right answers held back",
    )
    quiz.add_argument(
        "--difficulty", type=int, choices=(1, 2, 3), action="append", dest="difficulties"
    )
    _quiz_options(quiz)
    quiz.set_defaults(func=run_quiz)

    review = subparsers.add_parser("review", help="answer the questions due for review")
    review.add_argument("--count", type=int, help="at most this many (default: all due)")
    _quiz_options(review)
    review.set_defaults(func=run_review)

    stats = subparsers.add_parser("stats", help="mastery per topic, attempts, due counts")
    _common(stats)
    stats.add_argument("--json", action="store_true", help="print the stats as JSON")
    stats.set_defaults(func=run_stats)

    history = subparsers.add_parser(
        "history", help="past answers with what was shown (prompt, choices, expected)"
    )
    _common(history, learner=False)
    history.add_argument("--learner", metavar="NAME", help="only this learner (default: all)")
    history.add_argument("--limit", type=int, default=50, help="newest N answers (default 50)")
    history.add_argument("--json", action="store_true", help="print the attempts as JSON")
    history.set_defaults(func=run_history)


def _fail(message: str) -> int:
    print(f"kviz: error: {message}", file=sys.stderr)
    return 2


def _guarded(body: Any, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from kviz.bank.loader import BankError
    from kviz.quiz.engine import QuizError
    from kviz.store.database import DatabaseError

    try:
        return int(body(args))
    except BankError as e:
        first = e.problems[0]
        more = (
            f" (and {len(e.problems) - 1} more; run `kviz bank check`)"
            if len(e.problems) > 1
            else ""
        )
        return _fail(f"question bank: {first}{more}")
    except (DatabaseError, QuizError, CommandError) as e:
        return _fail(str(e))
    except SQLAlchemyError as e:  # e.g. the disk filled up or the file vanished mid-quiz
        return _fail(f"database: {e.__class__.__name__}: {str(e).splitlines()[0]}")


def _open(args: argparse.Namespace) -> Database:
    from kviz.store.database import open_database

    return open_database(getattr(args, "db", None))


def _learner(db: Database, name: str | None) -> Learner:
    from kviz.store.records import get_or_create_learner, last_learner

    if name is None:
        last = last_learner(db)
        name = last.name if last else DEFAULT_LEARNER
    try:
        return get_or_create_learner(db, name)
    except ValueError as e:
        raise CommandError(f"--learner: {e}") from None


def _bank(args: argparse.Namespace) -> Bank:
    """--bank files alone, else the installed bank with the learner's own topic files."""
    from kviz.bank.loader import load_bank, load_bank_and_user
    from kviz.paths import user_bank_dir

    if args.bank:
        return load_bank(args.bank)
    bank, problems = load_bank_and_user(user_bank_dir())
    for p in problems:
        print(f"kviz: warning: your question file is left out: {p}", file=sys.stderr)
    return bank


def _show(item: QuizItem, n: int, total: int, title: str, out: TextIO) -> None:
    from kviz.quiz.types import question_type

    out.write(f"\n[{n}/{total}] {title} · difficulty {item.difficulty}\n")
    out.write(textwrap.fill(item.prompt, 88) + "\n")
    for i, choice in enumerate(item.choices):
        out.write(f"  {LETTERS[i]}) {choice}\n")
    out.write(f"({question_type(item.type).hint(item)})\n")


def _read_line(inp: TextIO) -> str | None:
    """One line of input; None at its end, "" when its bytes are not text (asked again).

    Bytes are read and decoded here, strictly, so an undecodable line is never half-decoded
    into surrogates that fail later, when it is echoed or stored.
    """
    buffer = getattr(inp, "buffer", None)
    raw = buffer.readline() if buffer is not None else inp.readline()
    if not raw:
        return None
    try:
        if isinstance(raw, bytes):
            return raw.decode(getattr(inp, "encoding", None) or "utf-8")
        raw.encode("utf-8")  # text that holds surrogates from an escaped decode
        return raw
    except UnicodeError:
        return ""


def _read_answer(item: QuizItem, inp: TextIO, out: TextIO) -> Answer | None:
    """The next valid answer; bad input is explained and asked again. None at end of input."""
    from kviz.quiz.answers import AnswerFormatError, parse_answer

    while True:
        out.write("answer> ")
        out.flush()
        line = _read_line(inp)
        if line is None:
            return None
        if not line:
            out.write("\n  not an answer: that was not readable text (UTF-8); type it again\n")
            continue
        if not inp.isatty():
            out.write(line.rstrip("\n") + "\n")  # a scripted run reads like a transcript
        try:
            return parse_answer(item, line)
        except AnswerFormatError as e:
            out.write(f"  not an answer: {e.hint}\n")


def _run_items(
    db: Database, bank: Bank, learner: Learner, items: list[QuizItem], mode: str, topics: list[str]
) -> int:
    from kviz.quiz.engine import QuizRun
    from kviz.store.records import finish_quiz, record_attempt, start_quiz

    out, inp = sys.stdout, sys.stdin
    run = QuizRun(items)
    quiz_id = start_quiz(db, learner.id, mode, topics, planned=len(items))
    out.write(f"{mode.capitalize()} for {learner.name}: {count(len(items), 'question')}.\n")
    try:
        while (item := run.current) is not None:
            title = bank.titles.get(item.topic, item.topic)
            _show(item, len(run.results) + 1, len(items), title, out)
            shown = time.monotonic()
            answer = _read_answer(item, inp, out)
            if answer is None:
                out.write("\n(end of input: the quiz stops here; your answers are saved)\n")
                break
            seconds = time.monotonic() - shown
            feedback = run.submit(answer, seconds)
            record_attempt(db, quiz_id, item, answer.canonical, feedback, seconds)
            verdict = "right" if feedback.correct else f"wrong; the answer is {feedback.expected}"
            out.write(f"  {verdict}\n")
            out.write(textwrap.indent(textwrap.fill(feedback.explanation, 84), "  ") + "\n")
            out.flush()
    except KeyboardInterrupt:
        out.write("\n(stopped: your answers so far are saved)\n")
    summary = finish_quiz(db, quiz_id)
    out.write(f"\nScore: {summary.outcome()}\n")
    for t in summary.per_topic:
        out.write(f"  {t.topic}: {t.correct}/{t.total}\n")
    out.flush()
    return 0


def _quiz(args: argparse.Namespace) -> int:
    from kviz.quiz.engine import build_quiz
    from kviz.store.history import smart_quiz

    if args.smart and args.difficulties:
        raise CommandError("--smart picks the difficulty from your mastery; drop --difficulty")
    bank = _bank(args)
    items = None
    if not args.smart:
        items = build_quiz(
            bank,
            topics=args.topics,
            difficulties=args.difficulties,
            count=args.count,
            seed=args.seed,
        )
    db = _open(args)
    try:
        learner = _learner(db, args.learner)
        if items is None:
            items = smart_quiz(db, bank, learner.id, args.topics, args.count, args.seed)
        return _run_items(db, bank, learner, items, "quiz", args.topics or [])
    finally:
        db.close()


def _review(args: argparse.Namespace) -> int:
    from kviz.quiz.engine import build_review
    from kviz.store.records import due_question_ids, next_due

    bank = _bank(args)
    db = _open(args)
    try:
        learner = _learner(db, args.learner)
        items = build_review(
            bank, due_question_ids(db, learner.id), count=args.count, seed=args.seed
        )
        if not items:
            upcoming = next_due(db, learner.id)
            when = f"; next at {upcoming.astimezone():%Y-%m-%d %H:%M}" if upcoming else ""
            print(f"Nothing is due for review for {learner.name}{when}.")
            return 0
        return _run_items(db, bank, learner, items, "review", sorted({i.topic for i in items}))
    finally:
        db.close()


def _stats(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from kviz.store.names import clean_name
    from kviz.store.records import find_learner, last_learner, learner_stats, list_learners

    db = _open(args)
    try:
        if args.learner is None:
            learner = last_learner(db)
        else:
            learner = find_learner(db, args.learner)
            if learner is None:
                known = ", ".join(x.name for x in list_learners(db)) or "none yet"
                raise CommandError(
                    f"no learner named {clean_name(args.learner)!r} (known: {known})"
                )
        if learner is None:
            print("No learner yet: take a quiz first (kviz quiz).")
            return 0
        stats = learner_stats(db, learner.id)
    finally:
        db.close()
    if args.json:
        print(json.dumps(dataclasses.asdict(stats), default=str, indent=2))
        return 0
    share = f" ({stats.correct / stats.attempts:.0%})" if stats.attempts else ""
    print(
        f"{stats.learner.name}: {count(stats.attempts, 'answer')}, {stats.correct} right{share};"
        f" day streak {stats.day_streak}; right in a row {stats.right_streak};"
        f" {stats.due} due for review"
    )
    if stats.topics:
        print(f"{'topic':<22}{'mastery':>8}{'trend':>8}{'recent':>8}{'answers':>9}{'due':>5}")
    for t in stats.topics:
        mastery = f"{t.mastery:.0%}" if t.mastery is not None else "-"
        trend = f"{t.trend:+.0%}" if t.trend is not None else "-"
        print(f"{t.topic:<22}{mastery:>8}{trend:>8}{t.recent:>8}{t.attempts:>9}{t.due:>5}")
    return 0


def run_quiz(args: argparse.Namespace) -> int:
    """kviz quiz"""
    return _guarded(_quiz, args)


def run_review(args: argparse.Namespace) -> int:
    """kviz review"""
    return _guarded(_review, args)


def run_stats(args: argparse.Namespace) -> int:
    """kviz stats"""
    return _guarded(_stats, args)


def run_history(args: argparse.Namespace) -> int:
    """kviz history"""
    return _guarded(_history, args)


def _history(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from kviz.store.history import attempt_history
    from kviz.store.records import find_learner

    if args.limit < 1:
        raise CommandError(f"--limit: {args.limit} must be at least 1")
    db = _open(args)
    try:
        learner_id = None
        if args.learner is not None:
            learner = find_learner(db, args.learner)
            if learner is None:
                raise CommandError(f"--learner: no learner named {args.learner!r}")
            learner_id = learner.id
        attempts = attempt_history(db, learner_id, args.limit)
        bank = _bank(argparse.Namespace(bank=None))
    finally:
        db.close()

    def shown(a: AttemptRecord) -> str:
        entry = bank.get(a.question_id)
        return a.answer_shown(getattr(entry.question, "choices", None) if entry else None)

    if args.json:
        rows = [
            dataclasses.asdict(a)
            | {"answered_at": a.answered_at.isoformat(), "answer_shown": shown(a)}
            for a in attempts
        ]
        print(json.dumps({"attempts": rows}, indent=2))
        return 0
    if not attempts:
        print("No answers yet.")
    for a in attempts:
        when = a.answered_at.astimezone().strftime("%Y-%m-%d %H:%M")
        mark = "right" if a.correct else "wrong"
        print(f"{when}  {a.learner}  {a.question_id}  {mark}  answered {shown(a)!r}")
        if a.prompt is not None:
            print(textwrap.indent(textwrap.fill(a.prompt, 84), "    "))
            for i, choice in enumerate(a.choices or ()):
                print(f"      {LETTERS[i]}) {choice}")
            print(f"    expected: {a.expected}")
    return 0
