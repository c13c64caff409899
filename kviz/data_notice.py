"""What Kviz tells a learner whose lab fell back to the offline sample: the app's banner and
the CLI's one line say the same thing, from here.

A sample run reaches about 88% where the same model on full MNIST reaches about 97% (the
quest's committed reference), so a learner must never mistake one for the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.data import MnistData

HEADLINE = "Training on the offline sample, not MNIST"
COST = "about 88% instead of 97% for the reference model"


def sample_cost(data: MnistData) -> str | None:
    """What training on the sample costs; None for real MNIST."""
    if data.source_kind != "sample":
        return None
    return (
        f"{HEADLINE}: {len(data.train_images):,} training / "
        f"{len(data.test_images):,} test digits instead of 60,000 / 10,000 ({COST})"
    )


def sample_reason(data: MnistData, *, brief: bool = False) -> str:
    """Why the sample stands in (the trainer's `MnistData.fallback`, "what happened: the
    download's error"); `brief` keeps what happened, for a banner with little room."""
    reason = data.fallback or "it was asked for"
    return reason.split(": ", 1)[0] if brief else reason


def sample_notice(data: MnistData, *, brief: bool = False) -> str | None:
    """One sentence on what the sample costs and why it is used; None for real MNIST."""
    cost = sample_cost(data)
    if cost is None:
        return None
    return f"{cost}, because {sample_reason(data, brief=brief)}."


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
