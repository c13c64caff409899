"""Reading the bank's YAML files into validated questions, with `file:line` for every problem.

The YAML is composed into nodes first (SafeLoader), so each pydantic error can be mapped back
to the line of the question or field it is about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kviz.bank.schema import QUESTION_TYPES, Question, TopicHeader, unknown_type_message

_QUESTION = TypeAdapter(Question)

# Bank files come from teachers and other apps: reading one is bounded in time and memory.
MAX_FILE_BYTES = 1_000_000  # the largest shipped topic file is about 30 kB
MAX_DEPTH = 40  # nesting of mappings and lists (a question needs about 6)
MAX_EXPANDED_NODES = 200_000  # nodes once aliases are followed (an alias bomb has billions)
MAX_NUMBER_DIGITS = 30  # an integer or float literal longer than this is never a real value
MAX_MESSAGE = 300  # characters of a problem's message, values included
BANK_SUFFIXES = ("*.yaml", "*.yml")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bank file, printed as `file:line: message`."""

    file: str
    line: int
    message: str

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:  # a value in a message may be huge: show its start
            object.__setattr__(self, "message", self.message[: MAX_MESSAGE - 1] + "…")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class BankError(Exception):
    """The bank cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class BankEntry:
    """A validated question with the topic and place it came from."""

    topic: str
    question: Question
    file: str
    line: int


@dataclass(frozen=True)
class Bank:
    """The validated questions of one or more topic files, in file order."""

    entries: tuple[BankEntry, ...]
    titles: Mapping[str, str]  # topic id -> title shown to learners

    _by_id: dict[str, BankEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.question.id: e for e in self.entries})

    def get(self, question_id: str) -> BankEntry | None:
        return self._by_id.get(question_id)

    @property
    def topics(self) -> list[str]:
        return list(self.titles)

    def counts(self) -> dict[str, Any]:
        """Questions per topic and per type, as `kviz bank check --json` prints them."""
        return {
            "topics": dict(Counter(e.topic for e in self.entries)),
            "types": dict(Counter(e.question.type for e in self.entries)),
            "total": len(self.entries),
        }


def _expand(paths: Iterable[Path | str]) -> tuple[list[Path], list[Problem]]:
    """The topic files named or inside the folders named; a folder with none is a problem."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        if not p.is_dir():
            files.append(p)
            continue
        found = sorted(f for pattern in BANK_SUFFIXES for f in p.glob(pattern))
        if not found:
            problems.append(Problem(str(p), 0, "no topic files (*.yaml, *.yml) in this folder"))
        files.extend(found)
    return files, problems


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting and overlong numbers while composing, with a mark."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if (
            isinstance(node, ScalarNode)
            and node.tag.endswith((":int", ":float"))
            and len(node.value) > MAX_NUMBER_DIGITS
        ):
            raise yaml.composer.ComposerError(
                None, None, f"a number of {len(node.value)} characters", node.start_mark
            )
        return node


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """Nodes in the document once every alias is followed (each shared node counted per use)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = MAX_EXPANDED_NODES + 1  # a node that contains itself is unbounded
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    total = 1
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_EXPANDED_NODES:
            break
    sizes[key] = total
    return total


def _line_of(node: Node, loc: Sequence[Any]) -> int:
    """1-based line of the deepest node that `loc` reaches (skipping union tags)."""
    line = node.start_mark.line
    for part in loc:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == part:
                    line, node = key.start_mark.line, value
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
    return line + 1


def _duplicate_keys(node: Node, name: str, seen_nodes: set[int] | None = None) -> list[Problem]:
    """Keys given twice in one mapping (YAML would silently keep the last)."""
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:  # an alias: already walked (and it may point to itself)
        return []
    seen_nodes.add(id(node))
    found: list[Problem] = []
    if isinstance(node, MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                if key.value in keys:
                    found.append(
                        Problem(name, key.start_mark.line + 1, f"{key.value}: given twice")
                    )
                keys.add(key.value)
            found.extend(_duplicate_keys(value, name, seen_nodes))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            found.extend(_duplicate_keys(item, name, seen_nodes))
    return found


def _messages(err: ValidationError, prefix: str) -> list[tuple[tuple[Any, ...], str]]:
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        if loc and loc[0] in QUESTION_TYPES:
            loc = loc[1:]
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "union_tag_not_found":
            loc, msg = ("type",), f"Field required (one of {', '.join(QUESTION_TYPES)})"
        elif e["type"] == "union_tag_invalid":
            loc, msg = ("type",), unknown_type_message(e["ctx"]["tag"])
        field = ".".join(str(p) for p in loc)
        out.append((loc, f"{prefix}{field + ': ' if field else ''}{msg}"))
    return out


def _compose(path: Path, name: str) -> tuple[Node | None, Any, list[Problem]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return (
                None,
                None,
                [
                    Problem(
                        name,
                        1,
                        f"{size:,} bytes; a topic file is at most "
                        f"{MAX_FILE_BYTES:,} bytes: split it",
                    )
                ],
            )
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        return None, None, [Problem(name, 1, f"cannot read: {e.strerror or e}")]
    except UnicodeDecodeError:
        return None, None, [Problem(name, 1, "not UTF-8 text")]
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        return None, None, [Problem(name, line, f"bad YAML: character #x{e.character:04x}")]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, [Problem(name, 1, "empty file")]
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            return (
                None,
                None,
                [
                    Problem(
                        name,
                        1,
                        f"aliases (*name) expand to too much; over {MAX_EXPANDED_NODES:,} values",
                    )
                ],
            )
        return node, loader.construct_document(node), []
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        return None, None, [Problem(name, line, f"bad YAML: {what}")]
    except (RecursionError, ValueError) as e:  # a last guard: limits above should come first
        return None, None, [Problem(name, 1, f"bad YAML: {type(e).__name__}")]
    finally:
        loader.dispose()


def _read_file(
    path: Path, seen: dict[str, str]
) -> tuple[str | None, str | None, list[BankEntry], list[Problem]]:
    name = str(path)
    node, data, problems = _compose(path, name)
    if node is None:
        return None, None, [], problems
    # Duplicate keys are reported whatever else is wrong with the file.
    problems = [*problems, *_duplicate_keys(node, name)]
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "expected a mapping: topic, title, questions"))
        return None, None, [], problems
    try:
        header = TopicHeader.model_validate(data)
    except ValidationError as err:
        problems += [Problem(name, _line_of(node, loc), m) for loc, m in _messages(err, "")]
        return None, None, [], problems
    if header.topic != path.stem:
        problems.append(
            Problem(
                name, _line_of(node, ("topic",)), f"topic {header.topic!r} must match the file name"
            )
        )
    entries: list[BankEntry] = []
    for i, raw in enumerate(header.questions):
        qloc: tuple[Any, ...] = ("questions", i)
        qid = raw.get("id") if isinstance(raw, dict) else None
        prefix = f"{qid}: " if isinstance(qid, str) else f"question {i + 1}: "
        try:
            q = _QUESTION.validate_python(raw)
        except ValidationError as err:
            for loc, msg in _messages(err, prefix):
                problems.append(Problem(name, _line_of(node, qloc + loc), msg))
            continue
        line = _line_of(node, qloc)
        if q.id in seen:
            problems.append(Problem(name, line, f"duplicate id {q.id!r} (first at {seen[q.id]})"))
            continue
        seen[q.id] = f"{name}:{line}"
        entries.append(BankEntry(header.topic, q, name, line))
    return header.topic, header.title, entries, problems


def read_bank(paths: Iterable[Path | str]) -> tuple[Bank, list[Problem]]:
    """The valid questions of the given files (or folders) and every problem found."""
    files, problems = _expand(paths)
    seen: dict[str, str] = {}
    entries: list[BankEntry] = []
    titles: dict[str, str] = {}
    for path in files:
        topic, title, found, trouble = _read_file(path, seen)
        if topic is not None and title is not None:
            if topic in titles:
                trouble.append(Problem(str(path), 1, f"topic {topic!r} is in two files"))
            titles.setdefault(topic, title)
        entries.extend(found)
        problems.extend(trouble)
    return Bank(tuple(entries), titles), problems


def check_files(paths: Iterable[Path | str]) -> list[Problem]:
    """Every problem in the given files; an empty list means they are fit to use."""
    return read_bank(paths)[1]


def load_bank(paths: Iterable[Path | str] | None = None) -> Bank:
    """The bank of the given files, or of the installed `questions/` package."""
    if paths is None:
        from questions import bank_files

        paths = bank_files()
    bank, problems = read_bank(paths)
    if problems:
        raise BankError(problems)
    return bank
