"""`kviz class ...`: set up a PostgreSQL class database, add learners, push, report.

`init` and `add-learner` are run by the teacher as the database owner; `push` by a learner
(local SQLite file -> class database); `report` by the teacher.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Add `class init|add-learner|push|report`."""
    group = subparsers.add_parser("class", help="a PostgreSQL database for a whole class")
    sub = group.add_subparsers(dest="class_command", metavar="ACTION", required=True)

    init = sub.add_parser("init", help="migrate; create the teacher and learner roles (owner)")
    init.add_argument("url", metavar="URL", help="postgresql+psycopg://owner@host/db")
    init.set_defaults(func=run_init)

    add = sub.add_parser("add-learner", help="create one learner's login; prints its URL once")
    add.add_argument("url", metavar="URL")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--teacher", action="store_true", help="a teacher's login (reads all)")
    add.set_defaults(func=run_add_learner)

    push = sub.add_parser("push", help="send local answers and lab runs to the class database")
    push.add_argument("url", metavar="URL", help="your class database URL")
    push.add_argument("--local", metavar="PATH", help="local database (default: --db, $KVIZ_DB)")
    push.add_argument("--learner", metavar="NAME", help="local learner (default: last one)")
    push.set_defaults(func=run_push)

    report = sub.add_parser("report", help="the teacher's report on the class")
    report.add_argument("url", metavar="URL")
    fmt = report.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="the report as JSON")
    fmt.add_argument("--csv", action="store_true", help="the report as one CSV table")
    report.set_defaults(func=run_report)


def _guarded(body: Any, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from kviz.classroom.push import PushError
    from kviz.classroom.roles import ClassError
    from kviz.store.database import DatabaseError

    try:
        return int(body(args))
    except (ClassError, DatabaseError, PushError) as e:
        print(f"kviz: error: {e}", file=sys.stderr)
    except SQLAlchemyError as e:
        first = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        print(f"kviz: error: database: {first}", file=sys.stderr)
    return 2


def run_init(args: argparse.Namespace) -> int:
    def body(a: argparse.Namespace) -> int:
        from kviz.classroom.roles import init_class

        roles = init_class(a.url)
        print(f"class database ready: roles {roles.teacher} and {roles.learner}")
        return 0

    return _guarded(body, args)


def run_add_learner(args: argparse.Namespace) -> int:
    def body(a: argparse.Namespace) -> int:
        from kviz.classroom.roles import add_login

        url = add_login(a.url, a.name, "teacher" if a.teacher else "learner")
        print(url)
        print("(shown once: give it to them; they use it as --db or in File > Connect)")
        return 0

    return _guarded(body, args)


def run_push(args: argparse.Namespace) -> int:
    def body(a: argparse.Namespace) -> int:
        from kviz.classroom.push import push
        from kviz.paths import DB_ENV, default_database_path
        from kviz.store.database import open_database

        local_target = (
            a.local
            or getattr(a, "db", None)
            or os.environ.get(DB_ENV, "").strip()
            or str(default_database_path())
        )
        local = open_database(local_target)
        try:
            remote = open_database(a.url)
            try:
                r = push(local, remote, a.learner)
            finally:
                remote.close()
        finally:
            local.close()
        print(
            f"{r.learner}: added {r.attempts} answers, {r.quizzes} quizzes, {r.lab_runs} lab runs"
            " (already there: skipped)"
        )
        return 0

    return _guarded(body, args)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _acc(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def run_report(args: argparse.Namespace) -> int:
    def body(a: argparse.Namespace) -> int:
        from kviz.classroom.report import class_report, csv_rows
        from kviz.store.database import open_database

        db = open_database(a.url)
        try:
            report = class_report(db)
        finally:
            db.close()
        if a.json:
            json.dump(report.to_dict(), sys.stdout, indent=2)
            print()
        elif a.csv:
            csv.writer(sys.stdout).writerows(csv_rows(report))
        else:
            _print_report(report)
        return 0

    return _guarded(body, args)


def _print_report(report: Any) -> None:
    print(f"{len(report.learners)} learners")
    print("\nmastery per topic (last answers)")
    for m in report.mastery:
        print(f"  {m.learner:<20} {m.topic:<22} {_pct(m.mastery):>5}  ({m.answers} answers)")
    print("\nquestions: percent right, discrimination (point-biserial vs rest of quiz)")
    for q in report.questions:
        d = "-" if q.discrimination is None else f"{q.discrimination:+.2f}"
        print(f"  {q.question_id:<24} {q.percent_right:5.1f}%  {d:>6}  ({q.answers} answers)")
    print("\nmost missed")
    for q in report.most_missed:
        print(f"  {q.question_id:<24} {q.percent_right:5.1f}% right of {q.answers}")
    print("\nlabs: who ran what, best test accuracy")
    for lab in report.labs:
        print(f"  {lab.learner:<20} {lab.lab:<30} {lab.runs} runs  {_acc(lab.best_accuracy)}")
