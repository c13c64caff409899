"""Learner names: one spelling per person, and nothing a terminal would act on.

`é` typed on one keyboard (NFC) and pasted from another (NFD) look the same, as do "Ann" and
"ann": they are one learner. Control and format characters (an ESC that starts a terminal
escape sequence, a right-to-left override) are removed, so a name never changes what is
printed after it.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 100


def clean_name(name: str) -> str:
    """NFC, without control/format characters, with runs of spaces made one."""
    nfc = unicodedata.normalize("NFC", name)
    kept = "".join(
        " " if c.isspace() else c for c in nfc if unicodedata.category(c)[0] != "C" or c.isspace()
    )
    return " ".join(kept.split())


def name_key(name: str) -> str:
    """What two names must share to be the same learner (case-insensitive)."""
    return unicodedata.normalize("NFC", clean_name(name).casefold())
