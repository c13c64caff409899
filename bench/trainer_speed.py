"""Is the trainer a fast path? Times the seed's plain Keras script against `trainer.train`.

    python bench/trainer_speed.py --mnist-dir DIR [--epochs N]

Each side runs in its own child process of this one, one after the other, on the same
data: the seed program as written (numpy float64 arrays into fit, batch 32, default
compile, validation on the test set), and the trainer's reference config. Prints both fit
times, both test accuracies, the trainer's progress updates per second, and the ratio.
Both sides use LabConfig's default seed, so accuracy differences are the method's, not the draw's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from trainer.config import LabConfig

# The seed program, typos fixed, reading the idx files from --mnist-dir through the mnist
# package exactly as the seed does (mnist.temporary_dir is where it looks before downloading).
SEED_PROGRAM = """
import json
import sys
import time

import numpy as np
import mnist
import keras
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Dense, Flatten
from tensorflow.keras.utils import to_categorical

MNIST_DIR, EPOCHS, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mnist.temporary_dir = lambda: MNIST_DIR
keras.utils.set_random_seed(SEED)
train_images = mnist.train_images()
train_labels = mnist.train_labels()
test_images = mnist.test_images()
test_labels = mnist.test_labels()
train_images = (train_images / 255) - 0.5
test_images = (test_images / 255) - 0.5
train_images = np.expand_dims(train_images, axis=3)
test_images = np.expand_dims(test_images, axis=3)
print(train_images.shape)
print(test_images.shape)

num_filters = 8
filter_size = 3
pool_size = 2
model = Sequential([
    Conv2D(num_filters, filter_size, input_shape=(28, 28, 1)),
    MaxPooling2D(pool_size=pool_size),
    Flatten(),
    Dense(10, activation="softmax"),
])
model.compile("adam", loss="categorical_crossentropy", metrics=["accuracy"])
started = time.perf_counter()
model.fit(
    train_images,
    to_categorical(train_labels),
    epochs=EPOCHS,
    validation_data=(test_images, to_categorical(test_labels)),
)
fit_seconds = time.perf_counter() - started
predictions = model.predict(test_images[:5])
print(np.argmax(predictions, axis=1))
print(test_labels[:5])
_, accuracy = model.evaluate(test_images, to_categorical(test_labels), verbose=0)
print(json.dumps({"fit_seconds": fit_seconds, "test_accuracy": float(accuracy)}))
"""


def run_trainer(mnist_dir: str, epochs: int) -> dict:
    """The trainer's reference config (in the child), counting the progress events it sends."""
    from trainer import LabConfig, load_mnist, train

    stamps: list[float] = []
    data = load_mnist(mnist_dir)
    result = train(
        LabConfig(epochs=epochs),
        data,
        listener=lambda e: stamps.append(time.perf_counter()) if e.kind == "batch" else None,
    )
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return {
        "fit_seconds": result.fit_seconds,
        "test_accuracy": result.test_accuracy,
        "updates": len(stamps),
        "updates_per_s": len(stamps) / result.fit_seconds,
        "longest_gap_s": max(gaps, default=0.0),
        "first5": [p.label for p in result.predictions],
    }


def run_child(command: list[str], what: str) -> Any:
    """Run one child interpreter and read the JSON on the last line of its output."""
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{what} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(side: str, mnist_dir: str, epochs: int) -> dict:
    """Run one side in a fresh interpreter and read the JSON on its last line of output."""
    if side == "seed":
        seed = str(LabConfig().seed)
        command = [sys.executable, "-c", SEED_PROGRAM, mnist_dir, str(epochs), seed]
    else:
        command = [sys.executable, __file__, "--trainer-child", "--mnist-dir", mnist_dir]
        command += ["--epochs", str(epochs)]
    return run_child(command, f"{side} run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", required=True, help="folder with the four MNIST files")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate seed and trainer this many times and compare the fastest of each "
        "(a busy shared machine makes single timings noisy)",
    )
    parser.add_argument("--trainer-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trainer_child:
        print(json.dumps(run_trainer(args.mnist_dir, args.epochs)))
        return 0

    print(f"epochs: {args.epochs}, batch 32, 60000 train / 10000 test")
    seeds, fasts = [], []
    for round_number in range(1, args.rounds + 1):
        seeds.append(child("seed", args.mnist_dir, args.epochs))
        fasts.append(child("trainer", args.mnist_dir, args.epochs))
        if args.rounds > 1:
            print(
                f"round {round_number}: seed {seeds[-1]['fit_seconds']:.1f} s, "
                f"trainer {fasts[-1]['fit_seconds']:.1f} s"
            )
    seed = min(seeds, key=lambda r: r["fit_seconds"])
    fast = min(fasts, key=lambda r: r["fit_seconds"])
    ratio = fast["fit_seconds"] / seed["fit_seconds"]
    print(
        f"seed script: fit {seed['fit_seconds']:.1f} s, test accuracy {seed['test_accuracy']:.4f}"
    )
    print(
        f"trainer:     fit {fast['fit_seconds']:.1f} s, test accuracy {fast['test_accuracy']:.4f}"
    )
    print(
        f"progress:    {fast['updates_per_s']:.1f} updates/s "
        f"(longest gap {fast['longest_gap_s']:.2f} s, {fast['updates']} updates)"
    )
    print(f"ratio trainer/seed: {ratio:.2f} (target <= 0.75)")
    print(
        f"accuracy difference: {100 * (fast['test_accuracy'] - seed['test_accuracy']):+.2f} points"
        " (target within 0.5)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
