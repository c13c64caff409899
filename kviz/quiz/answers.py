"""The one parser of typed answers, for the terminal and the GUI alike.

Input that does not fit the question (a letter that is not shown, text for a number) raises
AnswerFormatError with a hint; it is asked again, never graded as wrong.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from kviz.bank.schema import LETTERS
from kviz.quiz.items import QuizItem

TRUE_WORDS = frozenset({"true", "t", "yes", "y"})
FALSE_WORDS = frozenset({"false", "f", "no", "n"})
MAX_TEXT = 500


class AnswerFormatError(ValueError):
    """The input is not an answer to this question; the message says what to type."""

    def __init__(self, hint: str) -> None:
        self.hint = hint
        super().__init__(hint)


@dataclass(frozen=True)
class Answer:
    raw: str  # what was typed
    canonical: str  # the answer in the bank's terms (bank letters), as stored in the records
    choices: frozenset[int] = frozenset()  # single/multiple: display indices
    flag: bool | None = None  # truefalse
    number: float | None = None  # numeric/computed
    text: str | None = None  # text, normalized (see normalize_text)


def normalize_text(s: str) -> str:
    """Case-, space- and accent-insensitive form: "Max-Pooling " == "maxpooling"."""
    decomposed = unicodedata.normalize("NFKD", s)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-_]+", "", plain.casefold()).rstrip(".")


def read_letters(item: QuizItem, raw: str) -> list[int]:
    """Display indices from letters typed as \"b\", \"a,c\", \"a c\" or \"ac\"."""
    n = len(item.choices)
    last = LETTERS[n - 1]
    parts = [p for p in re.split(r"[\s,;]+", raw.lower()) if p]
    if len(parts) == 1 and len(parts[0]) > 1 and parts[0].isalpha():
        parts = list(parts[0])  # "ac"
    picked = []
    for p in parts:
        p = p.rstrip(")")
        if len(p) != 1 or p not in LETTERS[:n]:
            raise AnswerFormatError(f"answer with the letters a..{last} shown beside the choices")
        picked.append(LETTERS.index(p))
    return picked


_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?")  # 18,496 / 1,000,000 / 12,345.5


def _separators(text: str) -> str:
    """Thousands separators and a decimal comma, where what was meant is clear.

    "18,496" and "1,000,000" are thousands (a comma with exactly three digits after it, more
    than one group, or a decimal point after it); "0,25" and "2,5" are decimal commas; a lone
    group such as "1,000" could be either only if a decimal comma were meant with three
    decimals, which people rarely type for these questions, so it is read as thousands.
    Anything else with a comma ("1,00,0", "1.000,5") is asked again.
    """
    if "," not in text:
        return text
    if _GROUPED.fullmatch(text):
        return text.replace(",", "")
    if re.fullmatch(r"[+-]?\d+,\d{1,2}|[+-]?\d+,\d{4,}|[+-]?0,\d+|[+-]?,\d+", text):
        return text.replace(",", ".")  # decimal comma: 0,25  2,5  3,14159
    raise AnswerFormatError(
        "unclear number: write thousands as 18496 or 18,496 and decimals as 0.25"
    )


def read_number(item: QuizItem, raw: str) -> float:
    """A finite number, with the item's unit and a decimal comma allowed."""
    text = raw.strip()
    if item.unit and text.lower().endswith(item.unit.lower()):
        text = text[: -len(item.unit)].strip()
    text = _separators(text)
    try:
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise AnswerFormatError("type a number, e.g. 80 or 0.25") from None
    if not math.isfinite(value):
        raise AnswerFormatError("type a finite number")
    return value


def parse_answer(item: QuizItem, raw: str) -> Answer:
    """The typed text as an answer to this item, or AnswerFormatError with a hint."""
    # The registry builds on this module's readers, so it is imported here, not at the top.
    from kviz.quiz.types import question_type

    kind = question_type(item.type)
    text = raw.strip()
    if not text:
        raise AnswerFormatError(kind.pick_hint())
    return kind.parse(item, text)
