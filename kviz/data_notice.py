"""What Kviz tells a learner whose lab fell back to the offline sample: the app's banner and
the CLI's one line say the same thing, from here.

A sample run reaches about 88% where the same model on full MNIST reaches about 97% (the
quest's committed reference), so a learner must never mistake one for the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.data import MnistData

COST = "the reference model reaches about 88% on it instead of about 97%"


def sample_notice(data: MnistData) -> str | None:
    """One sentence on what the sample costs and why it is used; None for real MNIST."""
    if data.source_kind != "sample":
        return None
    why = data.fallback or "it was asked for"
    return (
        f"Training on the offline sample: {len(data.train_images):,} training and "
        f"{len(data.test_images):,} test digits instead of MNIST's 60,000 and 10,000 "
        f"({COST}), because {why}."
    )


def cli_advice(data: MnistData) -> str | None:
    """The notice plus what to do about it, as one line for the terminal."""
    notice = sample_notice(data)
    if notice is None:
        return None
    line = (
        f"kviz: note: {notice} For the full set pass --mnist-dir DIR (a folder holding the "
        "four MNIST *-ubyte.gz files), set KVIZ_MNIST_DIR, choose the folder once in the app, "
        "or run again when online."
    )
    return " ".join(line.split())
