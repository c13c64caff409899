"""How responsive the app stays while it trains, and how fast its window appears.

Runs the reference lab inside the real app window (offscreen unless QT_QPA_PLATFORM says
otherwise) while a 10 ms QTimer heartbeat on the main thread records the largest gap between
its ticks. Prints:

    window_shown_s   process start -> the main window shown (target <= 1.5)
    max_stall_ms     the largest heartbeat gap minus its 10 ms period, while training
                     (target <= 50)

Usage: python bench/ui_responsiveness.py --mnist-dir DIR [--epochs N] [--train-limit N]
"""

from __future__ import annotations

import time

_T_SCRIPT = time.monotonic()

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402


def process_start() -> float:
    """The process's start on the time.monotonic() clock (Linux: from /proc; else now)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat(5): starttime, in clock ticks
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        age = uptime - started_ticks / os.sysconf("SC_CLK_TCK")
        return time.monotonic() - age
    except (OSError, ValueError, IndexError):
        return _T_SCRIPT


T0 = process_start()


class Heartbeat:
    """A 10 ms timer on the main thread; `max_gap_ms` is the worst wait between two ticks."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last = 0.0

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.monotonic()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def max_stall_ms(self) -> float:
        return max((g - 10.0 for g in self.gaps), default=0.0)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", required=True, help="folder with the four MNIST files")
    parser.add_argument("--epochs", type=int, default=1, help="epochs to train (default 1)")
    parser.add_argument(
        "--train-limit", type=int, default=0, help="train on the first N images (0: all)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="give up after N seconds")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from PySide6.QtCore import QTimer

    from kviz.ui.app import application, create_window

    app = application()
    workdir = tempfile.TemporaryDirectory(prefix="kviz-bench-")
    window = create_window(str(Path(workdir.name) / "bench.db"), args.mnist_dir)
    marks: dict[str, float] = {}
    window.first_shown.connect(lambda: marks.setdefault("shown", time.monotonic()))
    window.show()
    beat = Heartbeat()
    lab = window.view("labs")
    train = lab.train_step
    outcome: dict[str, object] = {}

    def name_learner() -> None:
        # First start on a fresh database: the learner dialog opens once it is ready.
        dialog = getattr(window, "learner_dialog", None)
        if dialog is not None:
            dialog.name.setText("bench")
            dialog.accept()

    def open_lab() -> None:
        # As a person would: open the lab (MNIST loads), set it up, then press Start once
        # the warm-up has imported Keras.
        if "lab_open" in marks:
            return
        marks["lab_open"] = time.monotonic()
        window.go("labs")
        lab.tabs.setCurrentWidget(lab.build_step)
        lab.build_step.epochs.setValue(args.epochs)
        lab.build_step.train_limit.setValue(args.train_limit)
        lab.tabs.setCurrentWidget(train)
        press_start()

    def press_start() -> None:
        if "keras" not in window.state.warmed or window.state.data is None:
            QTimer.singleShot(100, press_start)
            return
        marks["train_start"] = time.monotonic()
        beat.start()
        train.start()

    def finished(result: object) -> None:
        beat.stop()
        marks["train_end"] = time.monotonic()
        outcome["result"] = result
        app.quit()

    def failed(message: str) -> None:
        outcome["error"] = message
        app.quit()

    train.run_finished.connect(finished)
    window.state.data_failed.connect(failed)
    window.state.db_ready.connect(lambda: QTimer.singleShot(0, name_learner))
    window.state.learner_changed.connect(lambda: QTimer.singleShot(0, open_lab))
    QTimer.singleShot(int(args.timeout * 1000), lambda: failed("timed out"))
    app.exec()
    window.state.workers.stop_all()
    window.close()
    window.state.db.close()

    if "error" in outcome:
        print(f"error: {outcome['error']}", file=sys.stderr)
        return 1
    result = outcome["result"]
    shown = marks["shown"] - T0
    stall = beat.max_stall_ms()
    print(f"window_shown_s: {shown:.2f}  (target <= 1.5)")
    print(f"max_stall_ms: {stall:.1f}  (target <= 50; from pressing Start to the run's end)")
    print(
        f"heartbeat: {len(beat.gaps)} ticks, median gap {beat.percentile(0.5):.1f} ms, "
        f"p99 {beat.percentile(0.99):.1f} ms"
    )
    print(
        f"training: {marks['train_end'] - marks['train_start']:.1f} s wall, "
        f"{result.n_train:,} images x {args.epochs} epoch(s), "
        f"test accuracy {result.test_accuracy:.2%}; "
        f"{train.updates} progress events handled, {train.chart.draws} redraws"
    )
    ok = shown <= 1.5 and stall <= 50
    print("targets met" if ok else "targets MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
