"""Every generator against Keras itself, over wide random ranges: shapes, parameter counts, losses.

Each test draws many cases from a seeded random source (so a failure names a reproducible
case) across the whole range a generator accepts, not only the values the bank happens to use.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest

from kviz.bank.generators import (
    GENERATORS,
    MAX_CLASSES,
    MAX_SIZE,
    MAX_WINDOW,
    GeneratorError,
    run_generator,
)

CASES = 60  # random cases per generator


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
        "batchnorm_params",
        "conv_output_hw",
        "conv_output_size",
        "conv_params",
        "cross_entropy",
        "dense_params_after_flatten",
        "dense_params_after_pool",
        "dropout_scale",
        "maxpool_output_size",
        "normalized_pixel",
        "receptive_field",
        "softmax_probability",
        "stacked_vs_large_params",
    }
    assert set(GENERATORS) == tested


def test_conv_output_size(keras):
    rng = random.Random(1)
    for _ in range(CASES * 3):
        size, kernel = rng.randint(1, MAX_SIZE), rng.randint(1, MAX_WINDOW)
        stride, padding = rng.randint(1, MAX_WINDOW), rng.choice(["valid", "same"])
        if padding == "valid" and kernel > size:
            with pytest.raises(GeneratorError, match="larger than the input"):
                answer("conv_output_size", size=size, kernel=kernel, stride=stride, padding=padding)
            continue
        shape = keras.layers.Conv2D(
            1, kernel, strides=stride, padding=padding
        ).compute_output_shape((None, size, size, 1))
        case = (size, kernel, stride, padding)
        got = answer("conv_output_size", size=size, kernel=kernel, stride=stride, padding=padding)
        assert shape[1] == shape[2] == got, case


def test_conv_output_hw_on_non_square_inputs(keras):
    rng = random.Random(2)
    for _ in range(CASES * 2):
        h, w = rng.randint(5, MAX_SIZE), rng.randint(5, MAX_SIZE)
        kh, kw = rng.randint(1, 5), rng.randint(1, 5)
        stride, padding, filters = (
            rng.randint(1, 8),
            rng.choice(["valid", "same"]),
            rng.randint(1, 64),
        )
        layer = keras.layers.Conv2D(filters, (kh, kw), strides=stride, padding=padding)
        _, out_h, out_w, out_c = layer.compute_output_shape((None, h, w, 3))
        params = dict(
            height=h,
            width=w,
            kernel_h=kh,
            kernel_w=kw,
            stride=stride,
            padding=padding,
            filters=filters,
        )
        for ask, expected in (
            ("height", out_h),
            ("width", out_w),
            ("values", out_h * out_w * out_c),
        ):
            assert answer("conv_output_hw", ask=ask, **params) == expected, (params, ask)


def test_conv_params(keras):
    rng = random.Random(3)
    for _ in range(CASES // 2):
        kernel, channels, filters = rng.randint(1, 11), rng.randint(1, 128), rng.randint(1, 128)
        layer = keras.layers.Conv2D(filters, kernel)
        layer.build((None, 32, 32, channels))
        got = answer("conv_params", kernel=kernel, in_channels=channels, filters=filters)
        assert layer.count_params() == got, (kernel, channels, filters)


def test_dense_params_after_flatten(keras):
    rng = random.Random(4)
    for _ in range(CASES // 3):
        size, kernel = rng.randint(8, 64), rng.randint(1, 7)
        filters, pool, units = rng.randint(1, 32), rng.randint(1, 4), rng.randint(1, 64)
        model = keras.Sequential(
            [
                keras.Input((size, size, 1)),
                keras.layers.Conv2D(filters, kernel),
                keras.layers.MaxPooling2D(pool),
                keras.layers.Flatten(),
                keras.layers.Dense(units),
            ]
        )
        case = dict(size=size, kernel=kernel, filters=filters, pool=pool, units=units)
        assert model.layers[-1].count_params() == answer("dense_params_after_flatten", **case), case


def test_dense_params_after_pool(keras):
    rng = random.Random(5)
    for _ in range(CASES // 3):
        h, w, channels = rng.randint(4, 64), rng.randint(4, 64), rng.randint(1, 8)
        pool, stride = rng.randint(1, 4), rng.randint(1, 4)
        padding, units = rng.choice(["valid", "same"]), rng.randint(1, 32)
        model = keras.Sequential(
            [
                keras.Input((h, w, channels)),
                keras.layers.MaxPooling2D(pool, strides=stride, padding=padding),
                keras.layers.Flatten(),
                keras.layers.Dense(units),
            ]
        )
        case = dict(
            height=h,
            width=w,
            channels=channels,
            pool=pool,
            stride=stride,
            padding=padding,
            units=units,
        )
        values = run_generator("dense_params_after_pool", case)
        assert model.layers[-1].count_params() == values["answer"], case
        assert model.layers[-2].output.shape[-1] == values["flat"], case


def test_maxpool_output_size(keras):
    rng = random.Random(6)
    for _ in range(CASES * 3):
        size, pool = rng.randint(1, MAX_SIZE), rng.randint(1, MAX_WINDOW)
        stride = rng.choice([None, rng.randint(1, MAX_WINDOW)])
        padding = rng.choice([None, "valid", "same"])
        params = {"size": size, "pool": pool}
        params |= {"stride": stride} if stride else {}
        params |= {"padding": padding} if padding else {}
        if padding != "same" and pool > size:
            with pytest.raises(GeneratorError):
                run_generator("maxpool_output_size", params)
            continue
        layer = keras.layers.MaxPooling2D(pool, strides=stride, padding=padding or "valid")
        shape = layer.compute_output_shape((None, size, size, 1))
        assert shape[1] == answer("maxpool_output_size", **params), params


def test_batchnorm_params(keras):
    rng = random.Random(7)
    for channels in [1, 3, 8, 32, 64] + [rng.randint(1, 512) for _ in range(10)]:
        layer = keras.layers.BatchNormalization()
        layer.build((None, 6, 6, channels))
        trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        frozen = sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)
        assert answer("batchnorm_params", channels=channels, ask="total") == layer.count_params()
        assert answer("batchnorm_params", channels=channels, ask="trainable") == trainable
        assert answer("batchnorm_params", channels=channels, ask="non_trainable") == frozen


def test_cross_entropy_on_drawn_probabilities(keras):
    rng = random.Random(8)
    loss = keras.losses.CategoricalCrossentropy()
    for _ in range(CASES):
        classes = rng.randint(2, MAX_CLASSES)
        params = {"classes": classes, "true_class": rng.randrange(classes)}
        values = run_generator("cross_entropy", params, rng)
        assert all(p > 0 for p in values["probs"]), params
        assert math.isclose(math.fsum(values["probs"]), 1.0, abs_tol=1e-9), params
        ref = loss(np.array([values["target"]], "float64"), np.array([values["probs"]], "float64"))
        assert float(ref) == pytest.approx(values["answer"], rel=1e-5), params


def test_cross_entropy_renormalises_rounded_probabilities_as_keras_does(keras):
    """Probabilities printed with 6 decimals sum to 0.999999 or 1.000001: Keras divides by
    the sum, and so does the generator, instead of refusing them."""
    rng = random.Random(9)
    for _ in range(CASES):
        classes = rng.randint(2, 30)
        weights = [rng.random() + 0.01 for _ in range(classes)]
        probs = [round(w / sum(weights), 6) for w in weights]
        true_class = rng.randrange(classes)
        target = np.eye(classes)[[true_class]]
        ref = keras.losses.categorical_crossentropy(target, np.array([probs], "float64"))
        got = answer("cross_entropy", classes=classes, true_class=true_class, probs=probs)
        assert float(ref[0]) == pytest.approx(got, rel=1e-5), probs
    third = answer("cross_entropy", classes=3, true_class=0, probs=[0.333333] * 3)
    assert third == pytest.approx(math.log(3))
    # A sum of 1.005 is still rounding: divided by the sum, as Keras does (not -ln(0.7)).
    off = [0.2, 0.7, 0.105]
    ref = keras.losses.categorical_crossentropy(np.array([[0, 1, 0.0]]), np.array([off]))
    got = answer("cross_entropy", classes=3, true_class=1, probs=off)
    assert float(ref[0]) == pytest.approx(got, rel=1e-6)
    assert got == pytest.approx(-math.log(0.7 / 1.005))


def test_softmax_probability(keras):
    rng = random.Random(10)
    for _ in range(CASES):
        logits = [rng.uniform(-30, 30) for _ in range(rng.randint(2, MAX_CLASSES))]
        probs = keras.ops.convert_to_numpy(
            keras.activations.softmax(np.array([logits], dtype="float64"))
        )[0]
        i = rng.randrange(len(logits))
        assert answer("softmax_probability", index=i, logits=logits) == pytest.approx(
            probs[i], rel=1e-6, abs=1e-12
        )


def test_dropout_scale(keras):
    rng = random.Random(11)
    for rate in [0.1, 0.5] + [round(rng.uniform(0.01, 0.95), 3) for _ in range(10)]:
        layer = keras.layers.Dropout(rate, seed=1)
        out = keras.ops.convert_to_numpy(layer(np.ones((1, 4000), dtype="float32"), training=True))
        kept = out[out != 0]
        expected = answer("dropout_scale", rate=rate)
        assert kept == pytest.approx(np.full_like(kept, expected), rel=1e-6), rate


def test_normalized_pixel(keras):
    pixels = np.arange(256, dtype="float32").reshape(1, 256)
    scaled = keras.ops.convert_to_numpy(keras.layers.Rescaling(1 / 255)(pixels))[0]
    centred = keras.ops.convert_to_numpy(keras.layers.Rescaling(1 / 255, offset=-0.5)(pixels))[0]
    for pixel in range(256):  # float32 inside Keras
        unit = answer("normalized_pixel", pixel=pixel, scheme="unit")
        assert float(scaled[pixel]) == pytest.approx(unit, abs=1e-6)
        center = answer("normalized_pixel", pixel=pixel, scheme="center")
        assert float(centred[pixel]) == pytest.approx(center, abs=1e-6)
        assert answer("normalized_pixel", pixel=pixel, scheme="none") == pixel


def _effective_kernel(keras, layers: int, kernel: int = 3) -> int:
    """Receptive field measured in Keras: the input span one output pixel depends on."""
    size = 2 * layers * (kernel - 1) + 1
    model = keras.Sequential(
        [keras.Input((size, size, 1))]
        + [keras.layers.Conv2D(1, kernel, kernel_initializer="ones") for _ in range(layers)]
    )
    out_size = model.compute_output_shape((1, size, size, 1))[1]
    probes = np.zeros((size, size, size, 1), dtype="float32")
    for x in range(size):  # one probe image per column, all run as one batch
        probes[x, size // 2, x, 0] = 1.0
    out = keras.ops.convert_to_numpy(model(probes))
    seen = [x for x in range(size) if out[x, out_size // 2, out_size // 2, 0] != 0]
    return max(seen) - min(seen) + 1


@pytest.mark.parametrize(("layers", "kernel"), [(1, 3), (2, 3), (3, 3), (4, 3), (2, 5), (3, 7)])
def test_receptive_field(keras, layers, kernel):
    assert _effective_kernel(keras, layers, kernel) == answer(
        "receptive_field", layers=layers, kernel=kernel
    )


@pytest.mark.parametrize(("layers", "channels"), [(1, 4), (2, 1), (2, 16), (3, 8), (4, 3)])
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
        ("cross_entropy", {"classes": 2, "true_class": 0, "probs": [1.0, 0.0]}),
        ("normalized_pixel", {"pixel": 256, "scheme": "unit"}),
        ("conv_params", {"kernel": True, "in_channels": 1, "filters": 8}),
        ("batchnorm_params", {"channels": 8, "ask": "moving"}),
        ("no_such_generator", {}),
    ],
)
def test_bad_params_raise_generator_error(name, params):
    with pytest.raises(GeneratorError):
        run_generator(name, params)


@pytest.mark.parametrize(
    ("name", "params", "bad"),
    [
        ("cross_entropy", {"classes": 3_000_000, "true_class": 0}, "classes"),
        ("cross_entropy", {"classes": 3, "true_class": 0, "probs": [0.5] * 200}, "probs"),
        ("softmax_probability", {"index": 0, "classes": 101}, "classes"),
        ("softmax_probability", {"index": 0, "logits": [1e308, 0]}, "logits"),
        ("conv_output_size", {"size": 1025, "kernel": 3, "stride": 1, "padding": "same"}, "size"),
        ("conv_output_size", {"size": 28, "kernel": 65, "stride": 1, "padding": "same"}, "kernel"),
        (
            "conv_output_size",
            {"size": 28, "kernel": 3, "stride": 10**9, "padding": "same"},
            "stride",
        ),
        ("conv_params", {"kernel": 3, "in_channels": 1, "filters": 10**6}, "filters"),
        ("conv_params", {"kernel": 3, "in_channels": 10**4000, "filters": 1}, "in_channels"),
        ("maxpool_output_size", {"size": 28, "pool": 2, "stride": 0}, "stride"),
        ("batchnorm_params", {"channels": 5000, "ask": "total"}, "channels"),
        ("receptive_field", {"layers": 10**6}, "layers"),
        ("stacked_vs_large_params", {"layers": 2, "channels": 10**5, "ask": "large"}, "channels"),
        (
            "dense_params_after_pool",
            {"height": 2000, "width": 28, "channels": 1, "pool": 2, "units": 10},
            "height",
        ),
        (
            "conv_output_hw",
            {
                "height": 28,
                "width": 28,
                "kernel_h": 3,
                "kernel_w": 3,
                "stride": 1,
                "padding": "same",
                "filters": 1,
                "ask": "depth",
            },
            "ask",
        ),
    ],
)
def test_parameters_are_bounded_and_named(name, params, bad):
    """Out-of-range parameters fail at once, with a short message naming the parameter."""
    start = time.perf_counter()
    with pytest.raises(GeneratorError, match=rf"^{bad} ") as info:
        run_generator(name, params)
    assert time.perf_counter() - start < 0.5
    assert len(str(info.value)) < 200


def test_errors_never_print_a_nested_value():
    """A YAML alias bomb (lists of lists sharing one list) must not be expanded by repr()."""
    bomb: list = [0.5]
    for _ in range(40):  # 3**40 leaves if printed in full
        bomb = [bomb, bomb, bomb]
    start = time.perf_counter()
    for params in (
        {"classes": 3, "true_class": 0, "probs": bomb},
        {"classes": bomb, "true_class": 0},
    ):
        with pytest.raises(GeneratorError) as info:
            run_generator("cross_entropy", params)
        assert len(str(info.value)) < 200
    assert time.perf_counter() - start < 0.5


def test_cross_entropy_time_grows_linearly():
    """100 classes cost about 10 times 10 classes, not 100 times (the old loop was quadratic)."""

    def cost(classes: int) -> float:
        start = time.perf_counter()
        for seed in range(200):
            run_generator(
                "cross_entropy", {"classes": classes, "true_class": 0}, random.Random(seed)
            )
        return time.perf_counter() - start

    cost(10)  # warm up
    assert cost(MAX_CLASSES) < 30 * cost(10)
