"""The app's answer widgets: one class per widget kind, looked up through the type registry."""

from __future__ import annotations

import random

import pytest

pytestmark = pytest.mark.gui


def test_every_widget_kind_has_its_class_and_each_type_gets_it(qtbot):
    from kviz.bank.loader import load_bank
    from kviz.quiz.items import make_item
    from kviz.quiz.types import TYPES, UnknownQuestionType
    from kviz.ui.question_widgets import (
        WIDGETS,
        ChoiceWidget,
        NumberWidget,
        TextWidget,
        TrueFalseWidget,
        answer_widget,
    )

    assert {kind.widget for kind in TYPES.values()} == set(WIDGETS)
    expected = {
        "single": (ChoiceWidget, False),
        "multiple": (ChoiceWidget, True),
        "truefalse": (TrueFalseWidget, False),
        "numeric": (NumberWidget, None),
        "computed": (NumberWidget, None),
        "text": (TextWidget, None),
    }
    bank = load_bank()
    for name, (widget_class, multiple) in expected.items():
        entry = next(e for e in bank.entries if e.question.type == name)
        item = make_item(entry, random.Random(0))
        widget = answer_widget(item.type, item.choices, item.unit)
        qtbot.addWidget(widget)
        assert type(widget) is widget_class, name
        if multiple is not None:
            assert widget.multiple is multiple
            assert len(widget.buttons) == (len(item.choices) if item.choices else 2)
    with pytest.raises(UnknownQuestionType, match="unknown question type 'essay'"):
        answer_widget("essay", (), None)


def test_a_widget_kind_without_a_class_is_named_not_replaced(qtbot, monkeypatch):
    from kviz.quiz.types import TYPES
    from kviz.ui import question_widgets

    monkeypatch.setattr(type(TYPES["text"]), "widget", "slider")
    with pytest.raises(LookupError, match="'text' names widget kind 'slider'"):
        question_widgets.answer_widget("text", (), None)
