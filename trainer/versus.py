"""Keras vs PyTorch, measured: the same model, data, batches, loss and optimizer on both.

Each side runs `trainer.versus_child` in a fresh process (so each pays its import and its
first-step set-up, as a learner's program does), in alternating order over several rounds
(so neither side always runs on a machine warmed, or slowed, by the other). Both read the
same preprocessed arrays, shuffled once here, as .npy files in a temporary folder; the first
Keras run saves its initial weights and every other run starts from them, after checking
that its outputs on the test set agree. The medians over the rounds are the result.

Nothing here imports torch or Keras: the children do. `torch_available()` only asks the
import system whether torch could be imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from trainer.config import IMAGE_SIZE, LabConfig
from trainer.data import MnistData, prepare
from trainer.errors import ConfigError, TrainerError
from trainer.model import N_CLASSES

SIDE_LABELS = {
    "keras": "Keras (TensorFlow)",
    "pytorch": "PyTorch",
    "keras_torch": "Keras (torch backend)",
}
METRICS = ("import_s", "first_step_s", "step_ms", "fit_seconds", "test_accuracy")
INSTALL_HINT = (
    "PyTorch is not installed: pip install 'kviz[pytorch]' (or, for the smaller CPU-only "
    "build, pip install torch --index-url https://download.pytorch.org/whl/cpu)"
)
# Keras' default; PyTorch's Adam is told to use it too (its own default is 1e-8).
ADAM_EPSILON = 1e-7
# The environment that caps each framework's CPU threads at the lab's `threads` setting:
# OpenMP (PyTorch, oneDNN), MKL, and TensorFlow's two thread pools.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_SECTION = re.compile(r"^# --- (.+) ---$")


class TorchMissing(TrainerError):
    """PyTorch is not installed; the message says how to install it."""


def torch_available() -> bool:
    """Whether `import torch` would find a module (without importing it)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class VersusProgress:
    """Where a comparison is: which run of which side, and which phase or step of it."""

    side: str
    round: int  # 1-based
    rounds: int
    run: int  # 0-based index over all runs
    runs: int
    phase: str  # start | import | prepare | train | test | done
    step: int = 0
    steps: int = 0

    @property
    def fraction(self) -> float:
        """How much of the whole comparison is done, 0..1 (training steps count most)."""
        within = {"start": 0.0, "import": 0.05, "prepare": 0.1, "test": 0.95, "done": 1.0}
        part = within.get(self.phase, 0.1)
        if self.phase == "train" and self.steps:
            part = 0.1 + 0.85 * self.step / self.steps
        return (self.run + part) / self.runs


@dataclass(frozen=True)
class SideRun:
    """One side's figures from one fresh process."""

    side: str
    round: int
    import_s: float
    first_step_s: float
    step_ms: float  # median of the steps after the first
    fit_seconds: float  # the whole training call, first step included
    test_accuracy: float
    steps: int
    init_max_abs_diff: float | None  # None for the run whose weights the others copied


@dataclass(frozen=True)
class SideSummary:
    """One side over all its rounds: the median of each figure, and the runs themselves."""

    side: str
    runs: tuple[SideRun, ...]

    @property
    def label(self) -> str:
        return SIDE_LABELS[self.side]

    def median(self, metric: str) -> float:
        return float(statistics.median(getattr(run, metric) for run in self.runs))

    def to_dict(self) -> dict[str, Any]:
        figures: dict[str, Any] = {metric: self.median(metric) for metric in METRICS}
        figures["label"] = self.label
        figures["steps"] = self.runs[0].steps
        figures["rounds"] = [vars(run).copy() for run in self.runs]
        return figures


@dataclass(frozen=True)
class VersusResult:
    """The comparison; `to_dict()` is what `kviz lab versus --json` prints."""

    sides: dict[str, SideSummary]  # only sides with at least one finished run
    same_init_max_abs_diff: float | None  # largest over the runs that copied the weights
    epochs: int
    rounds: int
    seed: int
    batch_size: int
    threads: int  # CPU threads per side; 0: each framework's default
    n_train: int
    n_test: int
    source: str
    cancelled: bool

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {side: s.to_dict() for side, s in self.sides.items()}
        out.update(
            same_init_max_abs_diff=self.same_init_max_abs_diff,
            epochs=self.epochs,
            rounds=self.rounds,
            seed=self.seed,
            batch_size=self.batch_size,
            threads=self.threads,
            n_train=self.n_train,
            n_test=self.n_test,
            source=self.source,
            cancelled=self.cancelled,
        )
        return out


Listener = Callable[[VersusProgress], None]


def check_settings(
    *, epochs: int, rounds: int, train_limit: int | None = None, threads: int = 1
) -> None:
    """Raise TorchMissing without PyTorch, ConfigError naming the first bad setting: before
    any data is loaded or process started."""
    if not torch_available():
        raise TorchMissing(INSTALL_HINT)
    for name, value in (("epochs", epochs), ("rounds", rounds), ("train_limit", train_limit)):
        if value is not None and value < 1:
            raise ConfigError(f"{name}: must be at least 1, not {value}")
    if threads < 0:
        raise ConfigError(f"threads: must be 0 (the frameworks' defaults) or more, not {threads}")


def versus(
    data: MnistData,
    *,
    epochs: int = 3,
    rounds: int = 2,
    seed: int = 1,
    train_limit: int | None = None,
    keras_torch: bool = False,
    threads: int = 1,
    listener: Listener | None = None,
    cancel: threading.Event | None = None,
) -> VersusResult:
    """Train the reference model with Keras and with PyTorch, `rounds` times each.

    `keras_torch` adds a third side: the same Keras program on Keras' torch backend.
    `threads` caps the CPU threads of each side (0 leaves each framework its default): one
    by default, because on a busy machine PyTorch's OpenMP threads wait on each other and a
    step can take thirty times longer, which measures the machine, not the framework.
    Setting `cancel` stops the running child at once; the result then has `cancelled=True`
    and holds the runs that had finished. Raises TorchMissing without PyTorch, ConfigError
    for a bad setting, TrainerError when a run fails (with its last error line).
    """
    check_settings(epochs=epochs, rounds=rounds, train_limit=train_limit, threads=threads)
    sides = ["keras", "pytorch"] + (["keras_torch"] if keras_torch else [])
    config = LabConfig(epochs=epochs, seed=seed, train_limit=train_limit)
    runs: dict[str, list[SideRun]] = {side: [] for side in sides}
    cancelled = False
    with tempfile.TemporaryDirectory(prefix="kviz-versus-") as tmp:
        folder = Path(tmp)
        n_train, n_test = _write_inputs(folder, data, config)
        schedule = [
            (r, side) for r in range(rounds) for side in (sides if r % 2 == 0 else sides[::-1])
        ]
        for index, (r, side) in enumerate(schedule):
            report = _reporter(
                listener, VersusProgress(side, r + 1, rounds, index, len(schedule), "")
            )
            report("start")
            figures = _run_child(side, folder, threads, report, cancel)
            if figures is None:
                cancelled = True
                break
            runs[side].append(SideRun(side=side, round=r + 1, **figures))
            report("done")
    diffs = [run.init_max_abs_diff for rs in runs.values() for run in rs]
    known = [d for d in diffs if d is not None]
    return VersusResult(
        sides={side: SideSummary(side, tuple(rs)) for side, rs in runs.items() if rs},
        same_init_max_abs_diff=max(known) if known else None,
        epochs=epochs,
        rounds=rounds,
        seed=seed,
        batch_size=config.batch_size,
        threads=threads,
        n_train=n_train,
        n_test=n_test,
        source=data.source,
        cancelled=cancelled,
    )


def step_multiply_adds(config: LabConfig | None = None) -> int:
    """Multiply-adds in one training step of the reference model, batch included.

    The forward pass (convolution and dense layer), and about twice that again backwards
    (the gradients with respect to the weights and to the layer inputs): 3x forward.
    """
    config = config or LabConfig()
    conv_side = IMAGE_SIZE - config.kernel + 1
    conv = conv_side * conv_side * config.filters * config.kernel * config.kernel
    pooled_side = conv_side // config.pool
    dense = pooled_side * pooled_side * config.filters * N_CLASSES
    return 3 * (conv + dense) * config.batch_size


def _reporter(listener: Listener | None, where: VersusProgress) -> Callable[..., None]:
    """report(phase, step=0, steps=0): tells the listener, if any, where run `where` is."""

    def report(phase: str, step: int = 0, steps: int = 0) -> None:
        if listener is not None:
            listener(
                VersusProgress(**{**vars(where), "phase": phase, "step": step, "steps": steps})
            )

    return report


def _write_inputs(folder: Path, data: MnistData, config: LabConfig) -> tuple[int, int]:
    """The arrays both sides train on (shuffled once, here) and the settings they share."""
    limit = config.train_limit
    order = np.random.default_rng(config.seed).permutation(len(data.train_labels[:limit]))
    arrays = {
        "x_train": prepare(data.train_images[:limit], config.normalization)[order],
        "y_train": data.train_labels[:limit][order].astype(np.int64),
        "x_test": prepare(data.test_images, config.normalization),
        "y_test": data.test_labels.astype(np.int64),
    }
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array, allow_pickle=False)
    settings = {
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "epsilon": ADAM_EPSILON,
        "seed": config.seed,
        "filters": config.filters,
        "kernel": config.kernel,
        "pool": config.pool,
    }
    (folder / "settings.json").write_text(json.dumps(settings))
    return len(order), len(arrays["y_test"])


def _run_child(
    side: str,
    folder: Path,
    threads: int,
    report: Callable[..., None],
    cancel: threading.Event | None,
) -> dict[str, Any] | None:
    """Run one side in a fresh process; its figures, or None when cancelled."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    errors_path = folder / f"stderr-{side}.txt"
    command = [sys.executable, "-m", "trainer.versus_child", side, str(folder)]
    with open(errors_path, "w") as errors:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
        assert child.stdout is not None
        lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        reader = threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True)
        reader.start()
        result = None
        while True:
            if cancel is not None and cancel.is_set():
                child.kill()
                child.wait()
                reader.join()
                return None
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            message = _parse(line)
            if "result" in message:
                result = message["result"]
            elif "step" in message:
                report("train", int(message["step"]), int(message["steps"]))
            elif "phase" in message:
                report(str(message["phase"]))
        code = child.wait()
        reader.join()
    if code != 0 or not isinstance(result, dict):
        raise TrainerError(
            f"the {SIDE_LABELS[side]} run failed (exit code {code}): {_last_line(errors_path)}"
        )
    return result


def _read_lines(stream: IO[str], lines: queue.SimpleQueue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _parse(line: str) -> dict[str, Any]:
    """A child's message; lines that are not one (a library printing) are ignored."""
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _last_line(path: Path) -> str:
    """The last non-blank line a failed child wrote on stderr (a traceback's error line)."""
    text = path.read_text(errors="replace").strip().splitlines()
    return text[-1].strip() if text else "no error message"


# -- the two programs, side by side ----------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A stretch of both programs that does the same job, padded to the same length."""

    title: str
    first_line: int  # 0-based line in the aligned texts
    lines: int


def program_source(side: str) -> str:
    """The source of the program one side runs (read as text: showing it imports nothing)."""
    name = "torch_reference.py" if side == "pytorch" else "keras_reference.py"
    return (Path(__file__).with_name(name)).read_text()


def aligned_programs() -> tuple[str, str, list[Section]]:
    """The Keras and PyTorch programs with blank lines added so their sections line up."""
    keras_parts = _sections(program_source("keras"))
    torch_parts = _sections(program_source("pytorch"))
    if [t for t, _ in keras_parts] != [t for t, _ in torch_parts]:
        raise TrainerError("keras_reference.py and torch_reference.py have different sections")
    left: list[str] = []
    right: list[str] = []
    sections: list[Section] = []
    for (title, k_lines), (_, t_lines) in zip(keras_parts, torch_parts, strict=True):
        size = max(len(k_lines), len(t_lines))
        sections.append(Section(title, len(left), size))
        left += k_lines + [""] * (size - len(k_lines) + 1)  # and a blank line between
        right += t_lines + [""] * (size - len(t_lines) + 1)
    return "\n".join(left), "\n".join(right), sections


def _sections(source: str) -> list[tuple[str, list[str]]]:
    """(title, lines) per `# --- Title ---` comment; the lines before the first, less the
    module docstring, are "Imports". Runs of blank lines shrink to one."""
    body = source.split('"""', 2)[2] if source.startswith('"""') else source
    parts: list[tuple[str, list[str]]] = [("Imports", [])]
    for line in body.strip("\n").splitlines():
        match = _SECTION.match(line)
        if match:
            while parts[-1][1] and not parts[-1][1][-1].strip():
                parts[-1][1].pop()  # blank lines before a section comment go with it
            parts.append((match.group(1), []))
        elif not line.strip() and parts[-1][1] and not parts[-1][1][-1].strip():
            continue
        parts[-1][1].append(line)
    return parts
