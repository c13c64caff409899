"""Moodle XML questions in and out, parsed safely (defusedxml: no DTDs, no entity bombs).

Read: multichoice (one or several right answers), truefalse, shortanswer, numerical, and
calculated / calculatedsimple whose formula is plain arithmetic (kviz.bank.formula), each
into the bank's YAML shape; categories become topics. Anything else (matching, essay, cloze,
drag-and-drop...) is listed by its name and skipped.
Written: every Kviz question; a computed question stays computed (a Moodle calculated
question with the wildcards and explicit dataset items drawn by Kviz) when its generator has
a formula and its texts use only its parameters; otherwise one drawn instance is written as a
numerical question and counted as such.
"""

from __future__ import annotations

import html
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kviz.bank.formula import FormulaError, evaluate, variables
from kviz.bank.loader import Bank
from kviz.bank.schema import LETTERS
from kviz.bank.templates import draw_params
from kviz.exchange.common import (
    DEFAULT_DIFFICULTY,
    NO_EXPLANATION,
    ExchangeError,
    Imported,
    Skipped,
    read_limited,
    topic_name,
)

SUPPORTED = ("multichoice", "truefalse", "shortanswer", "numerical", "calculated")
DATASET_ITEMS = 10  # explicit draws written for a calculated question
# Generators Moodle can compute from the same wildcards: each value they derive as a Moodle
# formula (`answer` is the answer's; the others fill `{=...}` in the texts). A test checks
# every one against the generator itself.
FORMULAS: dict[str, dict[str, str]] = {
    "conv_params": {
        "answer": "{filters}*({kernel}*{kernel}*{in_channels}+1)",
        "weights": "{kernel}*{kernel}*{in_channels}*{filters}",
        "biases": "{filters}",
    },
    "dropout_scale": {"answer": "1/(1-{rate})", "keep": "1-{rate}"},
}


def _text(node: ET.Element | None, path: str = "text") -> str:
    """Plain text of `<x><text>...</text></x>` (HTML unescaped and its tags removed)."""
    if node is None:
        return ""
    found = node.find(path) if path else node
    raw = (found.text or "") if found is not None else ""
    fmt = node.get("format", "html")
    if fmt in ("html", "moodle_auto_format"):
        raw = re.sub(r"<br\s*/?>|</p>", "\n", raw, flags=re.IGNORECASE)
        raw = html.unescape(re.sub(r"<[^>]{0,500}>", "", raw))
    return re.sub(r"[ \t]+", " ", raw).strip()


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def _explanation(q: ET.Element, right_answers: list[ET.Element]) -> str:
    general = _text(q.find("generalfeedback"))
    feedback = next((_text(a.find("feedback")) for a in right_answers), "")
    return general or feedback or NO_EXPLANATION


def _number(text: str, field: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"{field} {text.strip()!r} is not a number") from None


def _plain_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _question(q: ET.Element, kind: str, doc: dict[str, Any]) -> dict[str, Any] | str:
    answers = q.findall("answer")
    right = [a for a in answers if _fraction(a) > 0]
    if kind == "multichoice":
        choices = [_text(a) for a in answers]
        single = (q.findtext("single") or "true").strip().lower() in ("true", "1")
        if not right:
            return "no answer has a positive fraction"
        if len(choices) > 6:
            return f"{len(choices)} choices; Kviz shows at most 6"
        keys = [LETTERS[answers.index(a)] for a in right]
        if single and len(right) == 1:
            doc |= {"type": "single", "choices": choices, "answer": keys[0]}
        else:
            doc |= {"type": "multiple", "choices": choices, "answer": keys}
    elif kind == "truefalse":
        if not right:
            return "neither true nor false is marked right"
        doc |= {"type": "truefalse", "answer": _text(right[0]).lower() == "true"}
    elif kind == "shortanswer":
        texts = [_text(a) for a in answers if _fraction(a) == 100]
        if not texts:
            return "no answer has full marks"
        doc |= {"type": "text", "answer": texts}
    elif kind == "numerical":
        full = [a for a in answers if _fraction(a) == 100]
        if not full:
            return "no answer has full marks"
        value = _number(_text(full[0]), "answer")
        tolerance = abs(_number(full[0].findtext("tolerance") or "0", "tolerance"))
        doc |= {"type": "numeric", "answer": _plain_number(value)}
        doc["tolerance"] = _plain_number(tolerance)
        if unit := (q.findtext("units/unit/unit_name") or "").strip():
            doc["unit"] = unit
    else:
        return _calculated(q, right, doc)
    doc["explanation"] = _explanation(q, right)
    return doc


def _calculated(
    q: ET.Element, right: list[ET.Element], doc: dict[str, Any]
) -> dict[str, Any] | str:
    doc["explanation"] = _explanation(q, right)
    if not right:
        return "no answer formula has a positive fraction"
    expression = _text(right[0])
    params: dict[str, Any] = {"expression": [expression]}
    for d in q.findall("dataset_definitions/dataset_definition"):
        name = _text(d.find("name"))
        items = [
            _plain_number(_number(i.findtext("value") or "", f"{{{name}}} item"))
            for i in d.findall("dataset_items/dataset_item")
        ]
        low = _number(d.findtext("minimum/text") or "0", f"{{{name}}} minimum")
        high = _number(d.findtext("maximum/text") or "0", f"{{{name}}} maximum")
        decimals = int(_number(d.findtext("decimals/text") or "0", f"{{{name}}} decimals"))
        if items:
            params[name] = sorted(set(items))
        elif decimals == 0 and low.is_integer() and high.is_integer():
            params[name] = {"min": int(low), "max": int(high)}
        else:
            step = 10.0**-decimals
            count = min(int(round((high - low) / step)) + 1, 50)
            params[name] = [
                round(low + i * (high - low) / max(count - 1, 1), decimals) for i in range(count)
            ]
    missing = [v for v in variables(expression) if v not in params]
    if missing:
        return f"formula uses {{{missing[0]}}} but the file defines no dataset for it"
    try:
        evaluate(
            expression,
            {
                k: (v[0] if isinstance(v, list) else v["min"])
                for k, v in params.items()
                if k != "expression"
            },
        )
    except FormulaError as e:
        return f"formula {expression!r}: {e}"
    shown: dict[str, str] = {}  # Moodle's inline {=formula} -> a value_N the generator computes

    def inline(m: re.Match[str]) -> str:
        name = shown.setdefault(m.group(1), f"value_{len(shown) + 1}")
        return f"{{{name}}}"

    for field in ("prompt", "explanation"):
        if field in doc:
            doc[field] = re.sub(r"\{=([^{}]*(?:\{\w+\}[^{}]*)*)\}", inline, doc[field])
    params |= {name: [expression] for expression, name in shown.items()}
    tolerance = abs(_number(right[0].findtext("tolerance") or "0", "tolerance"))
    doc |= {
        "type": "computed",
        "generator": "formula",
        "params": params,
        "tolerance": _plain_number(tolerance) or 1e-6,  # Kviz wants a tolerance for fractions
    }
    return doc


def read_moodle_xml(path: Path, topic: str | None = None) -> Imported:
    """Every question of a Moodle XML file, or ExchangeError naming the question at fault."""
    text = read_limited(path)
    try:
        root = SafeET.fromstring(text)
    except DefusedXmlException as e:
        raise ExchangeError(f"{path}:1: refused: {type(e).__name__} (DTDs and entities)") from None
    except ET.ParseError as e:
        line = e.position[0] if e.position else 1
        raise ExchangeError(f"{path}:{line}: not well-formed XML: {e}") from None
    if root.tag != "quiz":
        raise ExchangeError(f"{path}:1: the root element is <{root.tag}>, not <quiz>")
    result = Imported()
    category = ""
    for n, q in enumerate(root.findall("question"), start=1):
        kind = q.get("type", "")
        if kind == "category":
            category = _text(q.find("category"))
            continue
        name = _text(q.find("name")) or f"question {n}"
        where = f"{path}: question {name!r}"
        if kind == "calculatedsimple":
            kind = "calculated"
        if kind not in SUPPORTED:
            result.skipped.append(Skipped(where, f"type {kind!r}: Kviz has no such question type"))
            continue
        t = topic or (topic_name(category) if category else topic_name(path.stem))
        result.titles.setdefault(t, category.split("/")[-1].strip() or t)
        doc = {"id": f"{t.replace('_', '-')}-000", "difficulty": DEFAULT_DIFFICULTY}
        doc["prompt"] = _text(q.find("questiontext"))
        try:
            made = _question(q, kind, doc)
        except ValueError as e:
            raise ExchangeError(f"{where}: {e}") from None
        # More choices than a quiz screen holds is well formed, just not for Kviz: skipped.
        skippable = isinstance(made, str) and "Kviz shows" in made
        result.add(t, made, where, skippable=skippable)
    return result.check_not_empty(path)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        ET.SubElement(node, "text").text = text
    return node


def _answer(parent: ET.Element, fraction: float, text: str, **extra: str) -> ET.Element:
    a = ET.SubElement(parent, "answer", {"fraction": f"{fraction:g}", "format": "plain_text"})
    ET.SubElement(a, "text").text = text
    for tag, value in extra.items():
        ET.SubElement(a, tag).text = value
    _sub(a, "feedback", "", format="plain_text")
    return a


def _moodle_texts(q: Any) -> tuple[str, str] | None:
    """The prompt and explanation with Moodle wildcards, when Moodle can compute them too:
    a parameter stays `{name}`, a derived value becomes `{=formula}` (number formats such
    as `{answer:.3f}` are dropped: Moodle has its own). None when some value has no formula."""
    formulas = FORMULAS.get(q.generator)
    if formulas is None:
        return None
    unknown: list[str] = []

    def wildcard(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in q.params:
            return f"{{{name}}}"
        if name in formulas:
            return f"{{={formulas[name]}}}"
        unknown.append(name)
        return m.group(0)

    pattern = r"\{(\w+)(?::[^}]*)?\}"
    prompt, explanation = (re.sub(pattern, wildcard, t) for t in (q.prompt, q.explanation))
    return None if unknown else (prompt, explanation)


def write_moodle_xml(bank: Bank, path: Path, topics: list[str] | None = None) -> dict[str, int]:
    """Write the bank (or some topics): counts of questions, calculated and drawn instances."""
    from kviz.quiz.types import question_type

    root = ET.Element("quiz")
    counts = {"questions": 0, "calculated": 0, "drawn": 0}
    for topic in topics or bank.topics:
        cat = ET.SubElement(root, "question", {"type": "category"})
        _sub(cat, "category", f"$course$/kviz/{bank.titles.get(topic, topic)}")
        for entry in (e for e in bank.entries if e.topic == topic):
            q: Any = entry.question  # one of the schema models; dispatched on q.type
            kind = {
                "single": "multichoice",
                "multiple": "multichoice",
                "truefalse": "truefalse",
                "text": "shortanswer",
                "numeric": "numerical",
            }.get(q.type)
            moodle = _moodle_texts(q) if q.type == "computed" else None
            prompt, explanation = moodle or (q.prompt, q.explanation)
            if q.type == "computed":
                kind = "calculated" if moodle else "numerical"
                if not moodle:
                    shown = question_type("computed").draw(q, random.Random(q.id))
                    prompt, explanation, drawn = shown.prompt, shown.explanation, shown.values
                    counts["drawn"] += 1
                else:
                    counts["calculated"] += 1
            node = ET.SubElement(root, "question", {"type": str(kind)})
            _sub(node, "name", q.id)
            _sub(node, "questiontext", prompt, format="plain_text")
            _sub(node, "generalfeedback", explanation, format="plain_text")
            ET.SubElement(node, "defaultgrade").text = "1"
            if q.type in ("single", "multiple"):
                ET.SubElement(node, "single").text = "true" if q.type == "single" else "false"
                ET.SubElement(node, "shuffleanswers").text = "true" if q.shuffle else "false"
                ET.SubElement(node, "answernumbering").text = "abc"
                share = 100 / len(q.correct)
                for i, choice in enumerate(q.choices):
                    _answer(node, share if i in q.correct else 0, choice)
            elif q.type == "truefalse":
                _answer(node, 100 if q.answer else 0, "true")
                _answer(node, 0 if q.answer else 100, "false")
            elif q.type == "text":
                ET.SubElement(node, "usecase").text = "0"
                for text in q.answer:
                    _answer(node, 100, text)
            elif moodle:
                formula = FORMULAS[q.generator]["answer"]
                _answer(node, 100, formula, tolerance=f"{q.tolerance:g}", tolerancetype="2")
                _datasets(node, q)
            else:
                number = drawn["answer"] if q.type == "computed" else q.answer
                _answer(node, 100, f"{number:g}", tolerance=f"{q.tolerance:g}")
                if q.unit:
                    unit = ET.SubElement(ET.SubElement(node, "units"), "unit")
                    ET.SubElement(unit, "multiplier").text = "1"
                    ET.SubElement(unit, "unit_name").text = q.unit
            counts["questions"] += 1
    ET.indent(root)
    try:
        ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    except OSError as e:
        raise ExchangeError(f"{path}: cannot write: {e.strerror or e}") from None
    return counts


def _datasets(node: ET.Element, q: Any) -> None:
    """One private dataset per parameter, with DATASET_ITEMS draws made by Kviz."""
    rng = random.Random(q.id)
    spec = q.spec()
    draws = [draw_params(spec, rng) for _ in range(DATASET_ITEMS)]
    defs = ET.SubElement(node, "dataset_definitions")
    for name, choices in spec.items():
        d = ET.SubElement(defs, "dataset_definition")
        _sub(d, "status", "private")
        _sub(d, "name", name)
        ET.SubElement(d, "type").text = "calculated"
        _sub(d, "distribution", "uniform")
        low, high = (
            (choices["min"], choices["max"])
            if isinstance(choices, dict)
            else (min(choices), max(choices))
        )
        _sub(d, "minimum", f"{low:g}")
        _sub(d, "maximum", f"{high:g}")
        _sub(d, "decimals", "0" if all(float(x[name]).is_integer() for x in draws) else "3")
        ET.SubElement(d, "itemcount").text = str(DATASET_ITEMS)
        items = ET.SubElement(d, "dataset_items")
        for i, drawn in enumerate(draws, start=1):
            item = ET.SubElement(items, "dataset_item")
            ET.SubElement(item, "number").text = str(i)
            ET.SubElement(item, "value").text = f"{drawn[name]:g}"
        ET.SubElement(d, "number_of_items").text = str(DATASET_ITEMS)
