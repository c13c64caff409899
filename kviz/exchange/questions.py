"""Importing a question file into the learner's bank and exporting the bank: one entry point
for each, shared by `kviz bank import/export` and the app's File menu."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kviz.bank.loader import Bank, load_bank_and_user
from kviz.exchange.anki import write_anki
from kviz.exchange.common import ExchangeError, Imported, Skipped, write_topics
from kviz.exchange.gift import read_gift, write_gift
from kviz.exchange.moodle_xml import read_moodle_xml, write_moodle_xml

EXPORT_FORMATS = {"gift": ".gift", "moodle": ".xml", "anki": ".apkg"}


@dataclass(frozen=True)
class ImportSummary:
    file: Path
    written: tuple[Path, ...]  # the topic files made in the learner's bank folder
    counts: dict[str, int]  # topic -> questions imported
    skipped: tuple[Skipped, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """What a person reads after an import (CLI and app alike)."""
        n = self.total
        out = [f"Imported {n} question{'s' if n != 1 else ''} from {self.file.name}."]
        out += [f"  {path.name}: {self.counts[path.stem]}" for path in self.written]
        if self.skipped:
            k = len(self.skipped)
            out.append(f"Skipped {k} question{'s' if k != 1 else ''} Kviz cannot represent:")
            out += [f"  {s}" for s in self.skipped]
        return out


def read_questions(path: Path, topic: str | None = None) -> Imported:
    """GIFT (.gift, .txt) or Moodle XML (.xml), by the file's name and first characters."""
    if not path.is_file():
        raise ExchangeError(f"{path}: no such file")
    with path.open("rb") as f:
        head = f.read(200).lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() == ".xml" or head.startswith(b"<"):
        return read_moodle_xml(path, topic)
    return read_gift(path, topic)


def import_questions(path: Path, into: Path, topic: str | None = None) -> ImportSummary:
    """Read, validate, then write topic files into `into` (the learner's bank folder).

    Nothing is written unless the whole file reads; built-in topics and ids are never reused.
    """
    imported = read_questions(path, topic)
    bank, _ = load_bank_and_user(into)
    written = write_topics(
        imported,
        into,
        taken_ids={e.question.id for e in bank.entries},
        taken_topics=list(bank.topics),
    )
    counts = {}
    for (_, questions), out in zip(imported.topics.items(), written, strict=True):
        counts[out.stem] = len(questions)
    return ImportSummary(path, tuple(written), counts, tuple(imported.skipped))


def export_questions(bank: Bank, path: Path, fmt: str, topics: list[str] | None = None) -> str:
    """Write the bank (or some topics) in `fmt`; returns the one-line summary to show."""
    unknown = sorted(set(topics or ()) - set(bank.topics))
    if unknown:
        raise ExchangeError(f"--topics: unknown topic {', '.join(unknown)}")
    if fmt == "gift":
        count, drawn = write_gift(bank, path, topics)
        return f"Wrote {count} questions to {path} ({drawn} computed as one drawn instance)."
    if fmt == "moodle":
        c = write_moodle_xml(bank, path, topics)
        return (
            f"Wrote {c['questions']} questions to {path} ({c['calculated']} computed kept as "
            f"Moodle calculated questions, {c['drawn']} as one drawn instance)."
        )
    if fmt == "anki":
        c = write_anki(bank, path, topics)
        return (
            f"Wrote {c['notes']} notes in {c['decks']} decks to {path} "
            f"({c['drawn']} computed as one drawn instance)."
        )
    raise ExchangeError(f"--format: {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
