"""One measured run of one side of the Keras vs PyTorch lab, in a process of its own.

`python -m trainer.versus_child SIDE FOLDER` reads the arrays (.npy, no pickles) and the
settings that `trainer.versus` wrote into FOLDER, then times, in this order: importing the
framework, the first training step, every later step, the whole training call, and scores
the test set. A fresh process per run means every side pays its import and its first-step
set-up (tracing, memory pools) each time, as a learner's program does.

It writes one JSON object per line on stdout: {"phase": ...} as it moves on, {"step": n,
"steps": total} a few times a second, and last {"result": {...}}. The run that finds no
starting weights in FOLDER (the first Keras run) saves its own, with its outputs on the test
set before training; every later run loads them and reports how far its own outputs are.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

# side -> the program it runs (keras_torch: the Keras program on Keras' torch backend)
PROGRAMS = {
    "keras": "trainer.keras_reference",
    "pytorch": "trainer.torch_reference",
    "keras_torch": "trainer.keras_reference",
}
WEIGHT_FILES = ("init_conv_kernel", "init_conv_bias", "init_dense_kernel", "init_dense_bias")
PROGRESS_INTERVAL_S = 0.2


class StepClock:
    """Timestamps of every training step, and throttled progress lines."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.times: list[float] = []
        self.started = 0.0
        self._last_report = 0.0

    def start(self) -> None:
        self.started = time.perf_counter()

    def step(self) -> None:
        now = time.perf_counter()
        self.times.append(now)
        if now - self._last_report >= PROGRESS_INTERVAL_S or len(self.times) == self.steps:
            self._last_report = now
            emit({"step": len(self.times), "steps": self.steps})

    def first_step_s(self) -> float:
        return self.times[0] - self.started if self.times else float("nan")

    def step_ms(self) -> float:
        """The median of the steps after the first, in milliseconds."""
        gaps = np.diff(np.asarray(self.times))
        return float(np.median(gaps) * 1000) if len(gaps) else float("nan")


def emit(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


def load(folder: Path, name: str) -> np.ndarray:
    array: np.ndarray = np.load(folder / f"{name}.npy", allow_pickle=False)
    return array


def run(side: str, folder: Path) -> dict[str, Any]:
    """Train one side on the arrays in `folder` and return its timings and accuracy."""
    settings = json.loads((folder / "settings.json").read_text())
    x_train, y_train = load(folder, "x_train"), load(folder, "y_train")
    x_test, y_test = load(folder, "x_test"), load(folder, "y_test")
    epochs, batch_size = int(settings["epochs"]), int(settings["batch_size"])
    shape = {k: int(settings[k]) for k in ("filters", "kernel", "pool", "seed")}
    clock = StepClock(epochs * -(-len(x_train) // batch_size))

    emit({"phase": "import"})
    started = time.perf_counter()
    program: Any = importlib.import_module(PROGRAMS[side])  # imports Keras or PyTorch
    import_s = time.perf_counter() - started

    emit({"phase": "prepare"})
    x, y = program.prepare(x_train, y_train)
    test_x, _ = program.prepare(x_test, y_test)
    model = program.build_model(**shape)
    init_diff = _same_start(program, model, test_x, folder)

    emit({"phase": "train"})
    lr, eps = float(settings["learning_rate"]), float(settings["epsilon"])
    if side == "pytorch":
        loss_fn, optimizer = program.make_optimizer(model, lr, eps)
        clock.start()
        program.train(
            model,
            x,
            y,
            loss_fn=loss_fn,
            optimizer=optimizer,
            epochs=epochs,
            batch_size=batch_size,
            on_step=clock.step,
        )
    else:
        program.compile_model(model, lr, eps)
        clock.start()
        program.train(model, x, y, epochs=epochs, batch_size=batch_size, on_step=clock.step)
    fit_seconds = time.perf_counter() - clock.started

    emit({"phase": "test"})
    predicted = program.predict(model, test_x).argmax(axis=1)
    return {
        "import_s": import_s,
        "first_step_s": clock.first_step_s(),
        "step_ms": clock.step_ms(),
        "fit_seconds": fit_seconds,
        "steps": len(clock.times),
        "test_accuracy": float((predicted == y_test).mean()),
        "init_max_abs_diff": init_diff,
    }


def _same_start(program: Any, model: Any, test_x: Any, folder: Path) -> float | None:
    """Load the shared starting weights (or save them, on the first run) and compare outputs.

    Returns the largest difference between this model's test-set probabilities and those of
    the run that saved the weights; None for that run itself.
    """
    if not (folder / "init_probs.npy").exists():
        weights = program.get_weights(model)
        for name, array in zip(WEIGHT_FILES, weights, strict=True):
            np.save(folder / f"{name}.npy", array, allow_pickle=False)
        np.save(folder / "init_probs.npy", program.predict(model, test_x), allow_pickle=False)
        return None
    program.set_weights(model, [load(folder, name) for name in WEIGHT_FILES])
    reference = load(folder, "init_probs")
    return float(np.abs(program.predict(model, test_x) - reference).max())


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in PROGRAMS:
        sides = ",".join(PROGRAMS)
        print(f"usage: python -m trainer.versus_child {{{sides}}} FOLDER", file=sys.stderr)
        return 2
    side, folder = argv[0], Path(argv[1])
    if side.startswith("keras"):
        os.environ["KERAS_BACKEND"] = "torch" if side == "keras_torch" else "tensorflow"
    emit({"result": run(side, folder)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
