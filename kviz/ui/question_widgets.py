"""One input widget class per widget kind; each turns what was picked into the raw answer text.

A question type (kviz.quiz.types) names its widget kind; `answer_widget` looks the class up in
WIDGETS, so a new type with a new kind adds one class here and one WIDGETS entry. The raw
text is exactly what a person would type in the terminal ("b", "a,c", "true", "3.5",
"relu"), so the GUI and the CLI share one parser and one grader in the core.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QMouseEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kviz.bank.schema import LETTERS
from kviz.quiz.items import AnswerKey
from kviz.quiz.types import QuestionType, question_type
from kviz.ui.verdict_style import RIGHT, WRONG, sheet

NUMBER = QRegularExpression(r"^\s*[-+]?\d*([.,]\d*)?([eE][-+]?\d*)?\s*$")


class AnswerWidget(QWidget):
    """Base: `raw_answer()` is the text handed to the core's parse_answer."""

    changed = Signal()

    def raw_answer(self) -> str:  # pragma: no cover - always overridden
        raise NotImplementedError

    def choose(self, index: int) -> bool:
        """Pick option `index` (keys 1-9 / A-E); False when this type has no options."""
        return False

    def set_locked(self, locked: bool) -> None:
        """Freeze the input once the answer is submitted."""
        self.setEnabled(not locked)

    def focus_first(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def mark(self, key: AnswerKey) -> None:
        """After grading: show which options were right (only choice widgets have options)."""

    @classmethod
    def for_question(
        cls, kind: QuestionType, choices: tuple[str, ...], unit: str | None
    ) -> AnswerWidget:
        """The widget for one item of a type whose widget kind is this class's."""
        raise NotImplementedError


class _ChoiceText(QLabel):
    """A choice's text, wrapped to the window; clicking it picks the choice like its button."""

    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self.clicked.emit()
        super().mousePressEvent(event)


class ChoiceWidget(AnswerWidget):
    """Radio buttons (one answer) or check boxes (several), lettered a, b, c…

    The button holds only the letter; the text is a word-wrapped label beside it, because a
    button's own text never wraps and a long choice was cut off at the window edge.
    """

    @classmethod
    def for_question(
        cls, kind: QuestionType, choices: tuple[str, ...], unit: str | None
    ) -> AnswerWidget:
        return cls(choices, multiple=bool(getattr(kind, "multiple", False)))

    def __init__(
        self, choices: tuple[str, ...] | list[str], multiple: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.multiple = multiple
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not multiple)
        self.buttons: list[QAbstractButton] = []
        self.texts: list[QLabel] = []
        self._locked = False
        for i, text in enumerate(choices):
            letter = f"{LETTERS[i]})"
            button: QAbstractButton = QCheckBox(letter) if multiple else QRadioButton(letter)
            button.setToolTip(f"Key {i + 1} or {LETTERS[i].upper()}")
            button.setAccessibleName(f"{letter} {text}")
            self.group.addButton(button, i)
            self.buttons.append(button)
            label = _ChoiceText(text)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.clicked.connect(lambda i=i: None if self._locked else self.choose(i))
            self.texts.append(label)
            row = QHBoxLayout()
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(label, 1)
            layout.addLayout(row)
        self.group.idToggled.connect(lambda *_: self.changed.emit())

    def _right(self, key: AnswerKey) -> frozenset[int]:
        return key.correct

    def mark(self, key: AnswerKey) -> None:
        """Paint the right options green with ✔ and a wrongly picked one red with ✘."""
        right = self._right(key)
        for i, (button, label) in enumerate(zip(self.buttons, self.texts, strict=True)):
            verdict = RIGHT if i in right else WRONG if button.isChecked() else None
            if verdict is not None:
                label.setText(f"{verdict[0]} {label.text()}")
                label.setStyleSheet(sheet(verdict))

    def choose(self, index: int) -> bool:
        if self._locked or not 0 <= index < len(self.buttons):
            return False
        button = self.buttons[index]
        button.setChecked(not button.isChecked() if self.multiple else True)
        button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def raw_answer(self) -> str:
        return ",".join(LETTERS[i] for i, b in enumerate(self.buttons) if b.isChecked())

    def set_locked(self, locked: bool) -> None:
        """Freeze the buttons only: the texts keep full contrast to be read after grading."""
        self._locked = locked
        for button in self.buttons:
            button.setEnabled(not locked)

    def focus_first(self) -> None:
        if self.buttons:
            self.buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)


class TrueFalseWidget(ChoiceWidget):
    """Two radio buttons; the raw answer is "true" or "false"."""

    @classmethod
    def for_question(
        cls, kind: QuestionType, choices: tuple[str, ...], unit: str | None
    ) -> AnswerWidget:
        return cls()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(("True", "False"), multiple=False, parent=parent)
        self.buttons[0].setToolTip("Key 1, A or T")
        self.buttons[1].setToolTip("Key 2, B or F")

    def _right(self, key: AnswerKey) -> frozenset[int]:
        return frozenset({0 if key.flag else 1})

    def raw_answer(self) -> str:
        picked = self.group.checkedId()
        return {0: "true", 1: "false"}.get(picked, "")


class NumberWidget(AnswerWidget):
    """A field that accepts only a number (a comma works as the decimal point)."""

    @classmethod
    def for_question(
        cls, kind: QuestionType, choices: tuple[str, ...], unit: str | None
    ) -> AnswerWidget:
        return cls(unit)

    def __init__(self, unit: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit()
        self.field.setValidator(QRegularExpressionValidator(NUMBER, self.field))
        self.field.setPlaceholderText("a number, e.g. 3.5")
        self.field.setAccessibleName("Your answer (a number)")
        self.field.setMaximumWidth(240)
        self.field.textChanged.connect(lambda _t: self.changed.emit())
        label = QLabel("&Answer:")
        label.setBuddy(self.field)
        layout.addWidget(label)
        layout.addWidget(self.field)
        if unit:
            layout.addWidget(QLabel(unit))
        layout.addStretch()
        self.setFocusProxy(self.field)

    def raw_answer(self) -> str:
        return self.field.text().strip().replace(",", ".")

    def set_locked(self, locked: bool) -> None:
        self.field.setReadOnly(locked)

    def focus_first(self) -> None:
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)


class TextWidget(AnswerWidget):
    """A one-line free-text answer (compared by the core ignoring case and spaces)."""

    @classmethod
    def for_question(
        cls, kind: QuestionType, choices: tuple[str, ...], unit: str | None
    ) -> AnswerWidget:
        return cls()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit()
        self.field.setMaxLength(500)
        self.field.setPlaceholderText("type your answer")
        self.field.setAccessibleName("Your answer")
        self.field.textChanged.connect(lambda _t: self.changed.emit())
        label = QLabel("&Answer:")
        label.setBuddy(self.field)
        layout.addWidget(label)
        layout.addWidget(self.field, 1)
        self.setFocusProxy(self.field)

    def raw_answer(self) -> str:
        return self.field.text().strip()

    def set_locked(self, locked: bool) -> None:
        self.field.setReadOnly(locked)

    def focus_first(self) -> None:
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)


# widget kind (QuestionType.widget) -> the one class that shows it
WIDGETS: dict[str, type[AnswerWidget]] = {
    "choices": ChoiceWidget,
    "truefalse": TrueFalseWidget,
    "number": NumberWidget,
    "text": TextWidget,
}


def answer_widget(item_type: str, choices: tuple[str, ...], unit: str | None) -> AnswerWidget:
    """The widget for a QuizItem's type, by the widget kind its registry class names.

    An unknown type raises the core's UnknownQuestionType; a kind with no class, a LookupError
    naming it (never a silent fallback to another widget).
    """
    kind = question_type(item_type)
    try:
        widget_class = WIDGETS[kind.widget]
    except KeyError:
        raise LookupError(
            f"question type {kind.name!r} names widget kind {kind.widget!r}, which has no"
            f" widget class (known: {', '.join(WIDGETS)})"
        ) from None
    return widget_class.for_question(kind, choices, unit)
