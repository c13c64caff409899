"""The reference CNN as a Keras program: the Keras side of the Keras vs PyTorch lab.

The lab runs this file in its own process and the app shows it beside `torch_reference.py`.
Lines under the same `# --- Section ---` comment do the same job in both files, so the two
keep the same sections in the same order (the app aligns them by these comments), and short
lines, so that both fit side by side. Only the lab's child process imports this module
(`import trainer` does not), so it imports Keras at the top as an ordinary program does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np

# --- Data ---


def prepare(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
    """Images stay (N, 28, 28, 1): channels last.
    Labels become one-hot rows."""
    return x, keras.utils.to_categorical(y, 10)


# --- Model ---


def build_model(
    filters: int = 8,
    kernel: int = 3,
    pool: int = 2,
    seed: int = 1,
) -> Any:
    """The seed's CNN; it ends with a softmax."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(filters, kernel),
            keras.layers.MaxPooling2D(pool),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


# --- Starting weights ---


def get_weights(model: Any) -> list[np.ndarray]:
    """Conv kernel (row, column, in, out), conv bias,
    dense kernel (inputs, 10), dense bias."""
    return [np.asarray(w) for w in model.get_weights()]


def set_weights(model: Any, weights: list[np.ndarray]) -> None:
    """Keras' own layout: nothing to transpose."""
    model.set_weights(weights)


# --- Loss and optimizer ---


def compile_model(
    model: Any,
    learning_rate: float,
    epsilon: float,
) -> None:
    """Cross-entropy of the softmax's probabilities.
    Adam's epsilon is 1e-7 by default in Keras."""
    adam = keras.optimizers.Adam(
        learning_rate=learning_rate,
        epsilon=epsilon,
    )
    model.compile(
        optimizer=adam,
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )


# --- Training ---


def train(
    model: Any,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int,
    on_step: Callable[[], None],
) -> None:
    """fit() runs the loop; the arrays are already
    in the lab's shuffled order."""

    def step_done(batch: int, logs: Any = None) -> None:
        on_step()

    timer = keras.callbacks.LambdaCallback(on_train_batch_end=step_done)
    model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=[timer],
    )


# --- Test ---


def predict(model: Any, x: Any) -> np.ndarray:
    """Class probabilities (N, 10)."""
    return np.asarray(model.predict(x, batch_size=1000, verbose=0))
