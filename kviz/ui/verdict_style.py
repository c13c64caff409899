"""The colours of right and wrong, and the contrast check that keeps every pair readable.

Each verdict sets both its text and its background, so it reads the same on a light or a
dark theme; WCAG 2 asks for a contrast ratio of at least 4.5:1 for body text.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

# (icon, text colour, background) per verdict
RIGHT = ("✔", "#1b5e20", "#e8f5e9")
WRONG = ("✘", "#b71c1c", "#ffebee")
MIN_CONTRAST = 4.5


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def sheet(verdict: tuple[str, str, str]) -> str:
    """A style sheet painting a widget in the verdict's colours."""
    _icon, fg, bg = verdict
    return f"color: {fg}; background-color: {bg}; border-radius: 4px; padding: 2px 4px;"
