"""Offline and back: answers kept in the local file, pushed to the class database once each."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from kviz.classroom.roles import add_login, init_class
from kviz.classroom.sync import ClassLink
from kviz.store.database import open_database
from kviz.store.models import AttemptRow, DailyCountRow
from tests.classroom.conftest import answer_quiz

ROOT = Path(__file__).resolve().parents[2]


class Proxy:
    """A TCP forwarder in front of the server whose `drop()` cuts every connection."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.socks: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def drop(self) -> None:
        self.up = False
        for s in self.socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.socks.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.drop()
        self.listener.close()


def _class_attempts(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        uids = list(conn.execute(select(AttemptRow.uid)).scalars())
    engine.dispose()
    return uids


def test_a_dropped_connection_keeps_answers_locally_and_push_adds_each_once(
    pg_url: str, tmp_path: Path
) -> None:
    init_class(pg_url)
    login = make_url(add_login(pg_url, "Ana"))
    proxy = Proxy(login.host or "127.0.0.1", login.port or 5432)
    via_proxy = login.set(port=proxy.port).render_as_string(hide_password=False)
    local = open_database(str(tmp_path / "ana.db"))
    link = ClassLink(local, via_proxy)
    try:
        answer_quiz(local, "Ana", [True, False, True], seed=1)
        status = link.sync()
        assert status.online and status.pushed and status.pushed.attempts == 3
        proxy.drop()  # the class database goes away mid-quiz
        answer_quiz(local, "Ana", [False, True, True, True], seed=2)
        status = link.sync()
        assert not status.online and "unreachable" in status.message
        with local.session() as s:
            assert s.scalar(select(func.count()).select_from(AttemptRow)) == 7
        proxy.restore()
        status = link.sync()
        assert status.online and status.pushed and status.pushed.attempts == 4
        assert link.sync().pushed.attempts == 0  # type: ignore[union-attr]
    finally:
        link.close()
        proxy.close()
    with local.session() as s:
        local_uids = sorted(s.scalars(select(AttemptRow.uid)))
    local.close()
    class_uids = _class_attempts(pg_url)
    assert sorted(class_uids) == local_uids  # every answer, exactly once
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(DailyCountRow.attempts))) == 7
    engine.dispose()


def test_kviz_class_push_twice_adds_nothing_the_second_time(pg_url: str, tmp_path: Path) -> None:
    init_class(pg_url)
    login = add_login(pg_url, "Ben")
    local_path = tmp_path / "ben.db"
    local = open_database(str(local_path))
    answer_quiz(local, "Ben", [True, True, False, False, True], seed=3)
    local.close()
    cmd = [sys.executable, "-m", "kviz", "class", "push", login, "--local", str(local_path)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert "added 5 answers, 1 quizzes" in first.stdout
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert "added 0 answers, 0 quizzes" in again.stdout
    assert len(_class_attempts(pg_url)) == 5
