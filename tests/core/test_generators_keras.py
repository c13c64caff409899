"""Every generator against Keras itself: layer output shapes, parameter counts, losses."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from kviz.bank.generators import GENERATORS, GeneratorError, run_generator


@pytest.fixture(scope="module")
def keras():
    """Keras, imported once for this module (about 7 s); a required package, so a failed
    import is a failure, never a skip."""
    import keras

    return keras


def answer(name: str, **params) -> float:
    return run_generator(name, params)["answer"]


def test_every_generator_is_covered_here():
    tested = {
        "conv_output_size",
        "conv_params",
        "dense_params_after_flatten",
        "maxpool_output_size",
        "cross_entropy",
        "softmax_probability",
        "dropout_scale",
        "normalized_pixel",
        "receptive_field",
        "stacked_vs_large_params",
    }
    assert set(GENERATORS) == tested


@pytest.mark.parametrize("size", [7, 28, 32])
@pytest.mark.parametrize("kernel", [1, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_output_size(keras, size, kernel, stride, padding):
    layer = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding)
    shape = layer.compute_output_shape((None, size, size, 1))
    assert (
        shape[1]
        == shape[2]
        == answer("conv_output_size", size=size, kernel=kernel, stride=stride, padding=padding)
    )


@pytest.mark.parametrize(("kernel", "channels", "filters"), [(3, 1, 8), (5, 3, 16), (1, 32, 64)])
def test_conv_params(keras, kernel, channels, filters):
    layer = keras.layers.Conv2D(filters, kernel)
    layer.build((None, 28, 28, channels))
    assert layer.count_params() == answer(
        "conv_params", kernel=kernel, in_channels=channels, filters=filters
    )


@pytest.mark.parametrize(
    ("size", "kernel", "filters", "pool", "units"),
    [(28, 3, 8, 2, 10), (28, 5, 16, 2, 10), (32, 3, 32, 3, 64), (27, 4, 4, 2, 7)],
)
def test_dense_params_after_flatten(keras, size, kernel, filters, pool, units):
    model = keras.Sequential(
        [
            keras.Input((size, size, 1)),
            keras.layers.Conv2D(filters, kernel),
            keras.layers.MaxPooling2D(pool),
            keras.layers.Flatten(),
            keras.layers.Dense(units),
        ]
    )
    assert model.layers[-1].count_params() == answer(
        "dense_params_after_flatten",
        size=size,
        kernel=kernel,
        filters=filters,
        pool=pool,
        units=units,
    )


@pytest.mark.parametrize(
    ("size", "pool", "stride"), [(26, 2, None), (27, 2, None), (28, 3, 1), (13, 3, 2)]
)
def test_maxpool_output_size(keras, size, pool, stride):
    layer = keras.layers.MaxPooling2D(pool, strides=stride)
    shape = layer.compute_output_shape((None, size, size, 1))
    params = {"size": size, "pool": pool} | ({"stride": stride} if stride else {})
    assert shape[1] == answer("maxpool_output_size", **params)


@pytest.mark.parametrize("seed", range(5))
def test_cross_entropy(keras, seed):
    rng = random.Random(seed)
    classes = rng.randint(2, 10)
    values = run_generator("cross_entropy", {"classes": classes, "true_class": classes - 1}, rng)
    target = np.array([values["target"]], dtype="float32")
    probs = np.array([values["probs"]], dtype="float32")
    loss = keras.losses.CategoricalCrossentropy()(target, probs)
    assert float(loss) == pytest.approx(values["answer"], rel=1e-5)
    assert math.isclose(sum(values["probs"]), 1.0)


def test_cross_entropy_with_given_probs(keras):
    got = answer("cross_entropy", classes=3, true_class=1, probs=[0.2, 0.7, 0.1])
    ref = keras.losses.categorical_crossentropy(
        np.array([[0, 1, 0.0]]), np.array([[0.2, 0.7, 0.1]])
    )
    assert float(ref[0]) == pytest.approx(got, rel=1e-6)
    assert got == pytest.approx(-math.log(0.7))


@pytest.mark.parametrize("logits", [[1, 2, 3], [0, 0], [-3, 4, 0, 2], [10, -10, 5]])
def test_softmax_probability(keras, logits):
    probs = keras.ops.convert_to_numpy(
        keras.activations.softmax(np.array([logits], dtype="float64"))
    )[0]
    for i in range(len(logits)):
        assert answer("softmax_probability", index=i, logits=logits) == pytest.approx(probs[i])


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5, 0.8])
def test_dropout_scale(keras, rate):
    layer = keras.layers.Dropout(rate, seed=1)
    out = keras.ops.convert_to_numpy(layer(np.ones((1, 4000), dtype="float32"), training=True))
    kept = out[out != 0]
    assert kept == pytest.approx(np.full_like(kept, answer("dropout_scale", rate=rate)), rel=1e-6)


@pytest.mark.parametrize("pixel", [0, 1, 128, 255])
def test_normalized_pixel(keras, pixel):
    scaled = keras.layers.Rescaling(1 / 255)(np.array([[pixel]], dtype="float32"))
    centred = keras.layers.Rescaling(1 / 255, offset=-0.5)(np.array([[pixel]], dtype="float32"))
    assert float(scaled[0, 0]) == pytest.approx(  # float32 inside Keras
        answer("normalized_pixel", pixel=pixel, scheme="unit"), abs=1e-6
    )
    assert float(centred[0, 0]) == pytest.approx(
        answer("normalized_pixel", pixel=pixel, scheme="center"), abs=1e-6
    )


def _effective_kernel(keras, layers: int, kernel: int = 3) -> int:
    """Receptive field measured in Keras: the input span one output pixel depends on."""
    size = 2 * layers * (kernel - 1) + 1
    model = keras.Sequential(
        [keras.Input((size, size, 1))]
        + [keras.layers.Conv2D(1, kernel, kernel_initializer="ones") for _ in range(layers)]
    )
    grid = np.zeros((1, size, size, 1), dtype="float32")
    out_size = model.compute_output_shape(grid.shape)[1]
    seen = set()
    for x in range(size):
        probe = grid.copy()
        probe[0, size // 2, x, 0] = 1.0
        out = keras.ops.convert_to_numpy(model(probe))
        if out[0, out_size // 2, out_size // 2, 0] != 0:
            seen.add(x)
    return max(seen) - min(seen) + 1


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_receptive_field(keras, layers):
    assert _effective_kernel(keras, layers) == answer("receptive_field", layers=layers)
    assert answer("receptive_field", layers=layers) == 2 * layers + 1


@pytest.mark.parametrize(("layers", "channels"), [(2, 1), (2, 16), (3, 8)])
def test_stacked_vs_large_params(keras, layers, channels):
    stacked = keras.Sequential(
        [keras.Input((32, 32, channels))]
        + [keras.layers.Conv2D(channels, 3, padding="same") for _ in range(layers)]
    )
    large = keras.Sequential(
        [keras.Input((32, 32, channels)), keras.layers.Conv2D(channels, 2 * layers + 1)]
    )
    v = run_generator(
        "stacked_vs_large_params", {"layers": layers, "channels": channels, "ask": "large"}
    )
    assert v["answer"] == v["large_params"] == large.count_params()
    assert v["stacked_params"] == stacked.count_params()
    assert answer("stacked_vs_large_params", layers=layers, channels=channels, ask="stacked") == (
        stacked.count_params()
    )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("conv_params", {"kernel": 3}),
        ("conv_params", {"kernel": 3, "in_channels": 1, "filters": 8, "bias": 1}),
        ("conv_output_size", {"size": 3, "kernel": 5, "stride": 1, "padding": "valid"}),
        ("conv_output_size", {"size": 28, "kernel": 3, "stride": 1, "padding": "full"}),
        ("dropout_scale", {"rate": 1}),
        ("cross_entropy", {"classes": 3, "true_class": 3}),
        ("cross_entropy", {"classes": 2, "true_class": 0, "probs": [0.5, 0.6]}),
        ("normalized_pixel", {"pixel": 256, "scheme": "unit"}),
        ("conv_params", {"kernel": True, "in_channels": 1, "filters": 8}),
        ("no_such_generator", {}),
    ],
)
def test_bad_params_raise_generator_error(name, params):
    with pytest.raises(GeneratorError):
        run_generator(name, params)
