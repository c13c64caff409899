"""The bank as an Anki deck package (.apkg), built with genanki.

One deck per topic under a parent "Kviz" deck. Note GUIDs come from the question ids and the
deck and note-type ids are fixed, so exporting again updates the same cards in Anki instead
of adding copies. Choice questions show their choices on the front; the back has the answer
and the explanation. A computed question is exported as one drawn instance.
"""

from __future__ import annotations

import hashlib
import html
import random
from pathlib import Path

import genanki

from kviz.bank.loader import Bank
from kviz.bank.schema import LETTERS
from kviz.exchange.common import ExchangeError

PARENT_DECK = "Kviz"
MODEL_ID = 1_607_392_319  # fixed forever: Anki matches notes to their note type by it
MODEL = genanki.Model(
    MODEL_ID,
    "Kviz question",
    fields=[{"name": "Question"}, {"name": "Choices"}, {"name": "Answer"}, {"name": "Why"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}<br><br>{{Choices}}",
            "afmt": '{{FrontSide}}<hr id="answer"><b>{{Answer}}</b><br><br>{{Why}}',
        }
    ],
)


def deck_id(topic: str) -> int:
    """A stable deck id per topic (Anki wants a positive 63-bit-ish int)."""
    return int.from_bytes(hashlib.sha256(f"kviz:{topic}".encode()).digest()[:6], "big")


def write_anki(bank: Bank, path: Path, topics: list[str] | None = None) -> dict[str, int]:
    """Write an .apkg: counts of notes, decks and computed questions drawn once."""
    from kviz.quiz.types import question_type

    decks = []
    notes = drawn = 0
    for topic in topics or bank.topics:
        deck = genanki.Deck(deck_id(topic), f"{PARENT_DECK}::{bank.titles.get(topic, topic)}")
        for entry in (e for e in bank.entries if e.topic == topic):
            q = entry.question
            # The bank's own order (no shuffle), so the letters on the card match the key.
            shown = question_type(q.type).draw(q, random.Random(q.id))
            if q.type in ("single", "multiple"):
                choices = "<br>".join(
                    f"{LETTERS[i]}) {html.escape(c)}" for i, c in enumerate(q.choices)
                )
                expected = "; ".join(f"{LETTERS[i]}) {q.choices[i]}" for i in sorted(q.correct))
            else:
                choices = "True or false?" if q.type == "truefalse" else ""
                expected = shown.key.expected
            drawn += q.type == "computed"
            deck.add_note(
                genanki.Note(
                    model=MODEL,
                    fields=[
                        html.escape(shown.prompt),
                        choices,
                        html.escape(expected),
                        html.escape(shown.explanation),
                    ],
                    guid=genanki.guid_for("kviz", q.id),
                    tags=[topic, f"difficulty{q.difficulty}"],
                )
            )
            notes += 1
        decks.append(deck)
    try:
        genanki.Package(decks).write_to_file(str(path))
    except OSError as e:
        raise ExchangeError(f"{path}: cannot write: {e.strerror or e}") from None
    return {"notes": notes, "decks": len(decks), "drawn": drawn}
