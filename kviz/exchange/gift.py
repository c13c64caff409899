"""GIFT, Moodle's plain-text question format, in and out.

Read as Moodle's documentation describes it: `//` comment lines, `$CATEGORY:` lines,
`::title::`, `[html|moodle|plain|markdown]` text formats, answers in `{...}` with `=` right
and `~` wrong choices, `~%50%` weights (several right answers), `T`/`F`, short answers (only
`=`), numbers `#3.14:0.01` and `#1..2`, `#` feedback, `####` general feedback, the escapes
`\\~ \\= \\# \\{ \\} \\:` and `\\n`, and the missing-word form (answers inside the sentence).
Matching (`->`), essay (`{}`) and questions without answers are listed and skipped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kviz.bank.loader import Bank
from kviz.bank.schema import LETTERS
from kviz.exchange.common import (
    DEFAULT_DIFFICULTY,
    NO_EXPLANATION,
    ExchangeError,
    Imported,
    read_limited,
    topic_name,
)

SPECIAL = "~=#{}:"
FORMATS = ("html", "moodle", "plain", "markdown")
BLANK = "_____"


@dataclass
class _Block:
    line: int  # of its first line, 1-based
    text: str
    category: str


def _blocks(text: str) -> Iterator[_Block]:
    """Questions are separated by blank lines; comments and categories are taken out."""
    category, start = "", 0
    lines: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            if lines:
                yield _Block(start, "\n".join(lines), category)
                lines = []
            category = stripped.removeprefix("$CATEGORY:").strip()
            continue
        if not stripped:
            if lines:
                yield _Block(start, "\n".join(lines), category)
                lines = []
            continue
        if not lines:
            start = n
        lines.append(line)
    if lines:
        yield _Block(start, "\n".join(lines), category)


def _find(text: str, chars: str, start: int = 0) -> int:
    """Index of the first unescaped character of `chars` at or after `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            return i
        i += 1
    return -1


def _split(text: str, seps: str) -> list[tuple[str, str]]:
    """(separator, raw text) pieces at unescaped separators; the first has separator ""."""
    parts, sep, i = [], "", 0
    while (j := _find(text, seps, i)) != -1:
        parts.append((sep, text[i:j]))
        sep, i = text[j], j + 1
    parts.append((sep, text[i:]))
    return parts


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("->", "→")
    for c in SPECIAL:
        text = text.replace(c, "\\" + c)
    return text.replace("\n", "\\n")


def _plain(text: str, fmt: str) -> str:
    """Kviz shows plain text: HTML is unescaped and its tags removed; the rest kept."""
    text = unescape(text).strip()
    if fmt in ("html", "moodle"):
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]{0,500}>", "", text))
    return re.sub(r"[ \t]+", " ", text).strip()


def _feedback(raw: str) -> tuple[str, str]:
    """(answer text, its feedback) split at the first unescaped `#`."""
    at = _find(raw, "#")
    return (raw, "") if at == -1 else (raw[:at], raw[at + 1 :])


def _weight(raw: str) -> tuple[float | None, str]:
    m = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", raw)
    return (float(m.group(1)), raw[m.end() :]) if m else (None, raw)


def _number_answer(raw: str) -> tuple[float, float]:
    """`3.14:0.01`, `1..2` or `3.14` -> (answer, tolerance)."""
    raw = raw.strip()
    if ".." in raw:
        low, high = (float(x) for x in raw.split("..", 1))
        return (low + high) / 2, abs(high - low) / 2
    if ":" in raw:
        value, tol = raw.split(":", 1)
        return float(value), abs(float(tol))
    return float(raw), 0.0


def _question(block: _Block, name: str) -> dict[str, Any] | str:
    """The block as a Kviz question dict, or the reason it cannot be one."""
    text = block.text.strip()
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            return "'::' title is not closed"
        text = text[end + 2 :].lstrip()
    fmt = "moodle"
    if m := re.match(r"\[(\w+)\]", text):
        if m.group(1) not in FORMATS:
            return f"unknown text format [{m.group(1)}] (known: {', '.join(FORMATS)})"
        fmt, text = m.group(1), text[m.end() :]
    open_at = _find(text, "{")
    if open_at == -1:
        return "no answer block {...}: a description, not a question"
    close_at = _find(text, "}", open_at + 1)
    if close_at == -1:
        return "'{' is not closed by '}'"
    before, body, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    if _find(after, "{") != -1:
        return "cloze (several answer blocks): Kviz asks one thing per question"
    prompt = _plain(before, fmt)
    if after.strip():  # missing word: the answers stand for a gap inside the sentence
        prompt = f"{prompt} {BLANK} {_plain(after, fmt)}".strip()
    general = ""
    if (at := body.find("####")) != -1 and body[at - 1 : at] != "\\":
        body, general = body[:at], _plain(body[at + 4 :], fmt)
    body = body.strip()
    doc: dict[str, Any] = {"id": name, "difficulty": DEFAULT_DIFFICULTY, "prompt": prompt}
    if not body:
        return "essay question (no answers): Kviz cannot grade free text"
    if body.startswith("#"):
        return _numeric(doc, body[1:], general, fmt)
    if re.fullmatch(r"(T|TRUE|F|FALSE)(#.*)?", body, flags=re.DOTALL):
        word, fb = _feedback(body)
        doc |= {"type": "truefalse", "answer": word.upper().startswith("T")}
        wrong_fb, _, right_fb = fb.partition("#")  # `{T#if wrong#if right}`
        doc["explanation"] = general or _plain(right_fb or wrong_fb, fmt) or NO_EXPLANATION
        return doc
    pieces = [(sep, raw) for sep, raw in _split(body, "=~") if sep]
    if _split(body, "=~")[0][1].strip():
        return "text before the first '=' or '~' in the answers"
    if "=" in body and "->" in body:  # Moodle's own test for a matching question
        return "matching question ('->'): Kviz has no matching type"
    return _choices(doc, pieces, general, fmt)


def _numeric(doc: dict[str, Any], body: str, general: str, fmt: str) -> dict[str, Any] | str:
    if (wrong := _find(body, "~")) != -1:  # `~#feedback` for any wrong answer: nothing to keep
        body = body[:wrong]
    answers = [raw for sep, raw in _split(body, "=") if sep] or [body]
    best: tuple[float, float, str] | None = None
    for raw in answers:
        weight, raw = _weight(raw)
        value, fb = _feedback(raw)
        try:
            number, tol = _number_answer(unescape(value))
        except ValueError:
            return f"numeric answer {unescape(value).strip()!r} is not a number or range"
        if weight is None or weight == 100:
            best = best or (number, tol, fb)
    if best is None:
        return "no numeric answer carries full marks"
    number, tol, fb = best
    answer: int | float = int(number) if number.is_integer() else number
    tolerance: int | float = int(tol) if tol.is_integer() else tol
    doc |= {"type": "numeric", "answer": answer, "tolerance": tolerance}
    doc["explanation"] = general or _plain(fb, fmt) or NO_EXPLANATION
    return doc


def _choices(
    doc: dict[str, Any], pieces: list[tuple[str, str]], general: str, fmt: str
) -> dict[str, Any] | str:
    choices, right, feedback = [], [], ""
    short = all(sep == "=" for sep, _ in pieces)
    for sep, raw in pieces:
        weight, raw = _weight(raw)
        text, fb = _feedback(raw)
        choices.append(_plain(text, fmt))
        is_right = weight > 0 if weight is not None else sep == "="
        if is_right:
            right.append(len(choices) - 1)
            feedback = feedback or _plain(fb, fmt)
    doc["explanation"] = general or feedback or NO_EXPLANATION
    if short:
        return doc | {"type": "text", "answer": choices}
    if not right:
        return "no choice is marked right ('=' or a positive %weight%)"
    if len(choices) > 6:
        return f"{len(choices)} choices; Kviz shows at most 6"
    if len(right) > 1:
        return doc | {"type": "multiple", "choices": choices, "answer": [LETTERS[i] for i in right]}
    return doc | {"type": "single", "choices": choices, "answer": LETTERS[right[0]]}


def read_gift(path: Path, topic: str | None = None) -> Imported:
    """Every question of a GIFT file, or ExchangeError naming the first bad line.

    A question Kviz cannot represent is skipped and listed; one that should be representable
    but is malformed fails the whole file, so nothing is half-imported.
    """
    result = Imported()
    default_topic = topic or topic_name(path.stem)
    for block in _blocks(read_limited(path)):
        where = f"{path}:{block.line}"
        name = topic or (topic_name(block.category) if block.category else default_topic)
        result.titles.setdefault(name, block.category.split("/")[-1].strip() or name)
        doc = _question(block, f"{name.replace('_', '-')}-000")
        unsupported = ("matching", "essay", "cloze", "description", "Kviz shows")
        skippable = isinstance(doc, str) and any(k in doc for k in unsupported)
        result.add(name, doc, where, skippable=skippable)
    return result.check_not_empty(path)


def _answers(q: Any, values: dict[str, Any]) -> str:
    """The `{...}` body for one Kviz question (computed: the drawn instance's number)."""
    if q.type in ("single", "multiple"):
        right = q.correct
        share = f"{100 / len(right):.5f}".rstrip("0").rstrip(".")
        parts = []
        for i, choice in enumerate(q.choices):
            if q.type == "single":
                parts.append(("=" if i in right else "~") + escape(choice))
            else:
                parts.append(f"~%{share if i in right else '-100'}%" + escape(choice))
        return " ".join(parts)
    if q.type == "truefalse":
        return "TRUE" if q.answer else "FALSE"
    if q.type == "text":
        return " ".join("=" + escape(a) for a in q.answer)
    number = values["answer"] if q.type == "computed" else q.answer
    return f"#{number:g}:{q.tolerance:g}"


def write_gift(bank: Bank, path: Path, topics: list[str] | None = None) -> tuple[int, int]:
    """Write the bank (or some topics) as GIFT: (questions written, computed drawn once).

    Computed questions have no GIFT form: each is written as one drawn instance (numeric).
    """
    import random

    from kviz.quiz.types import question_type

    lines = ["// Exported from Kviz", ""]
    count = drawn = 0
    # Moodle reads any answer block holding both "=" and "->" as a matching question, and
    # GIFT has no escape for it: an arrow is written as "→" (the built-in bank uses "→").
    for topic in topics or bank.topics:
        lines += [f"$CATEGORY: $course$/kviz/{bank.titles.get(topic, topic)}", ""]
        for entry in (e for e in bank.entries if e.topic == topic):
            q = entry.question
            prompt, explanation, values = q.prompt, q.explanation, {}
            if q.type == "computed":
                shown = question_type("computed").draw(q, random.Random(q.id))
                prompt, explanation, values = shown.prompt, shown.explanation, dict(shown.values)
                lines.append(f"// {q.id}: computed in Kviz; one drawn instance")
                drawn += 1
            body = _answers(q, values)
            lines.append(
                f"::{escape(q.id)}::[markdown]{escape(prompt)}{{{body} ####{escape(explanation)}}}"
            )
            lines.append("")
            count += 1
    try:
        path.write_text("\n".join(lines), encoding="utf-8")
    except OSError as e:
        raise ExchangeError(f"{path}: cannot write: {e.strerror or e}") from None
    return count, drawn
