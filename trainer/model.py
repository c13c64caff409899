"""The seed's CNN, Input -> Conv2D -> MaxPooling2D -> Flatten -> [Dropout] -> Dense(10).

`layer_summary` and `count_params` are plain arithmetic so the GUI can show shapes and
parameter counts without importing TensorFlow; `build_model` builds the Keras model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.config import IMAGE_SIZE, LabConfig

if TYPE_CHECKING:
    import keras

N_CLASSES = 10


@dataclass(frozen=True)
class LayerInfo:
    """One layer as a learner sees it in a model summary."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int


def layer_summary(config: LabConfig) -> list[LayerInfo]:
    """The model's layers with output shapes and parameter counts, without TensorFlow."""
    config.validate()
    conv = IMAGE_SIZE - config.kernel + 1
    side = config.pooled_side()
    flat = side * side * config.filters
    layers = [
        LayerInfo("input", "Input", (IMAGE_SIZE, IMAGE_SIZE, 1), 0),
        LayerInfo(
            "conv",
            "Conv2D",
            (conv, conv, config.filters),
            (config.kernel * config.kernel + 1) * config.filters,
        ),
        LayerInfo("pool", "MaxPooling2D", (side, side, config.filters), 0),
        LayerInfo("flatten", "Flatten", (flat,), 0),
    ]
    if config.dropout > 0:
        layers.append(LayerInfo("dropout", "Dropout", (flat,), 0))
    layers.append(LayerInfo("dense", "Dense", (N_CLASSES,), (flat + 1) * N_CLASSES))
    return layers


def count_params(config: LabConfig) -> int:
    """Trainable parameters of the model `config` describes (13,610 for the seed's)."""
    return sum(layer.params for layer in layer_summary(config))


def build_model(config: LabConfig, *, steps_per_execution: int = 1) -> keras.Model:
    """The compiled model; `steps_per_execution` is the training fast path's compile setting."""
    config.validate()
    import keras

    layers = [
        keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1), name="input"),
        keras.layers.Conv2D(
            config.filters, config.kernel, activation=config.conv_activation, name="conv"
        ),
        keras.layers.MaxPooling2D(config.pool, name="pool"),
        keras.layers.Flatten(name="flatten"),
    ]
    if config.dropout > 0:
        layers.append(keras.layers.Dropout(config.dropout, name="dropout"))
    layers.append(keras.layers.Dense(N_CLASSES, activation="softmax", name="dense"))
    model = keras.Sequential(layers, name="kviz_cnn")
    optimizers = {
        "adam": keras.optimizers.Adam,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
    }
    model.compile(
        optimizer=optimizers[config.optimizer](learning_rate=config.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model
