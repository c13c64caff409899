"""What importers and exporters share: the import result, limits and validated writing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from kviz.bank.schema import ID_PATTERN, Question

MAX_IMPORT_BYTES = 5_000_000  # a question file larger than this is refused, not read
DEFAULT_DIFFICULTY = 2  # GIFT and Moodle XML have no difficulty: imported questions get 2
NO_EXPLANATION = "(The imported file gave no feedback for this question.)"
_QUESTION = TypeAdapter(Question)


class ExchangeError(Exception):
    """A file that cannot be read or written at all: `file:line: message` (nothing is written)."""


@dataclass(frozen=True)
class Skipped:
    where: str  # "file:line" (GIFT) or "file: question 'name'" (XML)
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}"


@dataclass
class Imported:
    """Questions read from one file, in the bank's YAML shape, grouped by topic."""

    topics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # topic -> questions
    titles: dict[str, str] = field(default_factory=dict)  # topic -> title
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(qs) for qs in self.topics.values())

    def add(self, topic: str, made: dict[str, Any] | str, where: str, *, skippable: bool) -> None:
        """Keep a valid question; list a `skippable` reason; any other reason, or a question
        the bank schema refuses, fails the whole file (ExchangeError), so nothing is
        half-imported."""
        if isinstance(made, str):
            if not skippable:
                raise ExchangeError(f"{where}: {made}")
            self.skipped.append(Skipped(where, made))
            return
        if problem := validate(made, where):
            raise ExchangeError(problem)
        self.topics.setdefault(topic, []).append(made)

    def check_not_empty(self, path: Path) -> Imported:
        if not self.topics and not self.skipped:
            raise ExchangeError(f"{path}:1: no questions found")
        return self


def read_limited(path: Path) -> str:
    """The file's text, refused with a clear message when too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ExchangeError(f"{path}:1: {size:,} bytes; the limit is {MAX_IMPORT_BYTES:,}")
        return path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ExchangeError(f"{path}:1: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise ExchangeError(f"{path}:1: not UTF-8 text (byte {e.start})") from None


def topic_name(text: str) -> str:
    """A topic id (lowercase letters, digits, _) from a category path or file name."""
    last = re.split(r"[/$]", text.strip().strip("/"))[-1] if text.strip() else ""
    name = re.sub(r"[^a-z0-9]+", "_", last.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"imported_{name}".rstrip("_")
    return name[:60]


def question_id(topic: str, n: int) -> str:
    qid = f"{topic.replace('_', '-')}-{n:03d}"
    assert re.fullmatch(ID_PATTERN, qid)
    return qid


def validate(doc: Mapping[str, Any], where: str) -> str | None:
    """None when the question dict passes the bank schema, else the first problem."""
    try:
        _QUESTION.validate_python(dict(doc))
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"][1:])
        return f"{where}: {loc + ': ' if loc else ''}{first['msg']}"
    return None


def write_topics(
    imported: Imported, into: Path, *, taken_ids: set[str], taken_topics: Sequence[str]
) -> list[Path]:
    """Write one YAML topic file per topic into `into`, never reusing a taken id or topic.

    Topic names already in the built-in bank (or already in `into`) get a numbered suffix,
    and question ids are made from the topic name, so an import can never shadow or change
    a built-in question. Returns the files written.
    """
    into.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    used_topics = set(taken_topics) | {p.stem for p in into.glob("*.yaml")}
    try:
        for topic, questions in imported.topics.items():
            name, k = topic, 2
            while name in used_topics:
                name, k = f"{topic}_{k}", k + 1
            used_topics.add(name)
            n = 0
            for q in questions:
                while (qid := question_id(name, n := n + 1)) in taken_ids:
                    pass
                q["id"] = qid
                taken_ids.add(qid)
            doc = {"topic": name, "title": imported.titles.get(topic, name), "questions": questions}
            path = into / f"{name}.yaml"
            part = path.with_suffix(".yaml.part")
            text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
            staged.append((part, path))
            part.write_text(text, encoding="utf-8")
    except OSError as e:  # e.g. a full disk: nothing half-written stays behind
        for part, _ in staged:
            part.unlink(missing_ok=True)
        raise ExchangeError(f"{into}: cannot write the topic files: {e.strerror or e}") from None
    for part, path in staged:  # every file is complete before any becomes visible
        part.replace(path)
    return [path for _, path in staged]
