"""The lab's CNN: 1-3 conv blocks, an optional hidden Dense layer, dropout, Dense(10) softmax.

`layer_summary`, `count_params` and `count_macs` are plain arithmetic so the GUI and the CLI
can show shapes, sizes and costs without importing TensorFlow; `build_model` builds the
Keras model those numbers describe (a test holds them equal to Keras' `count_params`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trainer.config import IMAGE_SIZE, LabConfig

if TYPE_CHECKING:
    import keras

N_CLASSES = 10
BYTES_PER_WEIGHT = 4  # float32


@dataclass(frozen=True)
class LayerInfo:
    """One layer as a learner sees it in a model summary."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    macs: int = 0  # multiply-accumulates per image of its weights (conv and dense only)


def layer_summary(config: LabConfig) -> list[LayerInfo]:
    """The model's layers with output shapes, parameters and multiply-adds, without TensorFlow."""
    config.validate()
    side, channels = IMAGE_SIZE, 1
    layers = [LayerInfo("input", "Input", (IMAGE_SIZE, IMAGE_SIZE, 1), 0)]
    if config.shift:
        layers.append(LayerInfo("shift", "RandomTranslation", (side, side, 1), 0))
    if config.rotation:
        layers.append(LayerInfo("rotate", "RandomRotation", (side, side, 1), 0))
    for n, (filters, kernel, pool) in enumerate(config.conv_blocks(), start=1):
        suffix = "" if n == 1 else str(n)
        stride = config.stride if n == 1 else 1
        side = (side - kernel) // stride + 1
        weights = kernel * kernel * channels * filters
        bias = 0 if config.batch_norm else filters
        shape = (side, side, filters)
        macs = side * side * weights
        layers.append(LayerInfo(f"conv{suffix}", "Conv2D", shape, weights + bias, macs))
        if config.batch_norm:
            # gamma, beta, moving mean and moving variance: Keras counts all four
            layers.append(LayerInfo(f"bn{suffix}", "BatchNormalization", shape, 4 * filters))
            if config.conv_activation:
                layers.append(LayerInfo(f"relu{suffix}", "Activation", shape, 0))
        if pool > 1:
            side //= pool
            layers.append(LayerInfo(f"pool{suffix}", "MaxPooling2D", (side, side, filters), 0))
        channels = filters
    width = side * side * channels
    layers.append(LayerInfo("flatten", "Flatten", (width,), 0))
    if config.hidden:
        params = (width + 1) * config.hidden
        layers.append(LayerInfo("hidden", "Dense", (config.hidden,), params, width * config.hidden))
        width = config.hidden
    if config.dropout > 0:
        layers.append(LayerInfo("dropout", "Dropout", (width,), 0))
    layers.append(
        LayerInfo("dense", "Dense", (N_CLASSES,), (width + 1) * N_CLASSES, width * N_CLASSES)
    )
    return layers


def count_params(config: LabConfig) -> int:
    """Parameters of the model `config` describes, as Keras counts them (13,610 for the seed's)."""
    return sum(layer.params for layer in layer_summary(config))


def count_macs(config: LabConfig) -> int:
    """Multiply-accumulates per image of conv and dense weights (62,192 for the seed's)."""
    return sum(layer.macs for layer in layer_summary(config))


def model_bytes(config: LabConfig) -> int:
    """Size of the model's weights as stored (float32)."""
    return count_params(config) * BYTES_PER_WEIGHT


def build_model(
    config: LabConfig, *, steps_per_epoch: int | None = None, steps_per_execution: int = 1
) -> keras.Model:
    """The compiled model; `steps_per_epoch` sizes a learning-rate schedule (default: all of
    MNIST) and `steps_per_execution` is the training fast path's compile setting."""
    config.validate()
    import keras

    # Pixels uncovered by a shift or rotation take the background's value.
    background = -0.5 if config.normalization == "center" else 0.0
    layers: list[Any] = [keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1), name="input")]
    if config.shift:
        fraction = config.shift / IMAGE_SIZE
        layers.append(
            keras.layers.RandomTranslation(
                fraction, fraction, fill_mode="constant", fill_value=background, name="shift"
            )
        )
    if config.rotation:
        layers.append(
            keras.layers.RandomRotation(
                config.rotation / 360, fill_mode="constant", fill_value=background, name="rotate"
            )
        )
    for n, (filters, kernel, pool) in enumerate(config.conv_blocks(), start=1):
        suffix = "" if n == 1 else str(n)
        stride = config.stride if n == 1 else 1
        if config.batch_norm:
            layers.append(
                keras.layers.Conv2D(
                    filters, kernel, strides=stride, use_bias=False, name=f"conv{suffix}"
                )
            )
            layers.append(keras.layers.BatchNormalization(name=f"bn{suffix}"))
            if config.conv_activation:
                layers.append(keras.layers.Activation(config.conv_activation, name=f"relu{suffix}"))
        else:
            layers.append(
                keras.layers.Conv2D(
                    filters,
                    kernel,
                    strides=stride,
                    activation=config.conv_activation,
                    name=f"conv{suffix}",
                )
            )
        if pool > 1:
            layers.append(keras.layers.MaxPooling2D(pool, name=f"pool{suffix}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    if config.hidden:
        layers.append(keras.layers.Dense(config.hidden, activation="relu", name="hidden"))
    if config.dropout > 0:
        layers.append(keras.layers.Dropout(config.dropout, name="dropout"))
    layers.append(keras.layers.Dense(N_CLASSES, activation="softmax", name="dense"))
    model = keras.Sequential(layers, name="kviz_cnn")

    from trainer.schedules import learning_rate

    steps = steps_per_epoch or math.ceil(60000 / config.batch_size)
    rate = learning_rate(config.schedule, config.learning_rate, steps * config.epochs)
    optimizers = {
        "adam": keras.optimizers.Adam,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
    }
    loss: Any = "categorical_crossentropy"
    if config.label_smoothing:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing)
    model.compile(
        optimizer=optimizers[config.optimizer](learning_rate=rate),
        loss=loss,
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model
