"""Drawing a computed question's numbers and filling them into its text.

Placeholders are `{name}` or `{name:spec}` over plain values; attribute access, indexing and
conversions are refused, so a template can never reach into Python objects.
"""

from __future__ import annotations

import random
import re
import reprlib
import string
from collections.abc import Mapping
from typing import Any

MAX_WIDTH = 100  # the largest width or precision a placeholder may ask for
MAX_RENDERED = 2_000  # characters of a filled-in prompt or explanation

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlist = _SHORT.maxdict = 6
_SHORT.maxlevel = 2


def short_repr(value: Any) -> str:
    """A value as shown inside a message: bounded, however large the value is."""
    return _SHORT.repr(value)


class TemplateError(ValueError):
    """A placeholder that names no drawn value, or one that is not a plain name."""


def format_number(x: Any) -> str:
    """Numbers the way a person writes them: 80, 0.25, 2.3026 (no float noise)."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.4f}".rstrip("0").rstrip(".")
    if isinstance(x, list | tuple):
        return ", ".join(format_number(v) for v in x)
    return str(x)


class _PlainFormatter(string.Formatter):
    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        if not field_name.isidentifier():
            raise TemplateError(f"placeholder {{{field_name}}} is not a plain name")
        if field_name not in kwargs:
            known = ", ".join(sorted(kwargs))
            raise TemplateError(f"placeholder {{{field_name}}} is not a drawn value ({known})")
        return kwargs[field_name], field_name

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is not None:
            raise TemplateError(f"conversion !{conversion} is not allowed in placeholders")
        return value

    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec:
            return format_number(value)
        if any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", format_spec)):
            raise TemplateError(
                f"format {short_repr(format_spec)}: widths and precisions are at most {MAX_WIDTH}"
            )
        try:
            return format(value, format_spec)
        except (ValueError, TypeError) as e:
            raise TemplateError(
                f"format {short_repr(format_spec)} does not fit {short_repr(value)}: {e}"
            ) from e


_FORMATTER = _PlainFormatter()


def render(template: str, values: Mapping[str, Any]) -> str:
    """The template with its placeholders filled; `{{` and `}}` are literal braces."""
    try:
        text = _FORMATTER.vformat(template, (), dict(values))
    except (IndexError, ValueError) as e:
        if isinstance(e, TemplateError):
            raise
        raise TemplateError(f"bad placeholder: {e}") from e
    if len(text) > MAX_RENDERED:
        raise TemplateError(
            f"filled in, the text is {len(text):,} characters (at most {MAX_RENDERED:,})"
        )
    return text


def draw_params(spec: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """One draw: a list means pick one item, {min, max} a whole number in that range."""
    drawn: dict[str, Any] = {}
    for name, choices in spec.items():
        if isinstance(choices, Mapping):
            drawn[name] = rng.randint(choices["min"], choices["max"])
        elif isinstance(choices, list):
            drawn[name] = rng.choice(choices)
        else:
            drawn[name] = choices
    return drawn


def corner_draws(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The two extreme draws: every range at its min (every list at its first item), then
    every range at its max (last item). Random trial draws can miss the end of a wide range,
    where a generator's bounds bite; these two cannot."""
    low: dict[str, Any] = {}
    high: dict[str, Any] = {}
    for name, choices in spec.items():
        if isinstance(choices, Mapping):
            low[name], high[name] = choices["min"], choices["max"]
        elif isinstance(choices, list):
            low[name], high[name] = choices[0], choices[-1]
        else:
            low[name] = high[name] = choices
    return [low, high]
