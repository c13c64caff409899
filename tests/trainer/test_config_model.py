"""LabConfig validation and the parameter arithmetic the GUI shows without TensorFlow."""

from __future__ import annotations

import pytest

from trainer import ConfigError, LabConfig
from trainer.model import build_model, count_macs, count_params, layer_summary
from trainer.presets import LADDER, ladder_rows, preset_config

# Counted by hand, layer by layer: conv (k*k*in [+1 bias]) * f; BN 4 * f; dense (in + 1) * out.
# MACs: conv out*out*f*k*k*in; dense in*out. Maps: 28 -3-> 26 -pool-> 13 -3-> 11 -pool-> 5 -3-> 3.
CONV1_8, CONV1_16 = (9 + 1) * 8, (9 + 1) * 16
CONV2, CONV3 = (9 * 16 + 1) * 32, (9 * 32 + 1) * 64
MACS1_8, MACS1_16 = 26 * 26 * 8 * 9, 26 * 26 * 16 * 9
MACS2, MACS3 = 11 * 11 * 32 * 9 * 16, 3 * 3 * 64 * 9 * 32
BY_HAND = {
    "reference": (CONV1_8 + (13 * 13 * 8 + 1) * 10, MACS1_8 + 13 * 13 * 8 * 10),
    "relu": (CONV1_8 + (13 * 13 * 8 + 1) * 10, MACS1_8 + 13 * 13 * 8 * 10),
    "filters": (CONV1_16 + (13 * 13 * 16 + 1) * 10, MACS1_16 + 13 * 13 * 16 * 10),
    "two_blocks": (CONV1_16 + CONV2 + (5 * 5 * 32 + 1) * 10, MACS1_16 + MACS2 + 800 * 10),
    "three_blocks": (CONV1_16 + CONV2 + CONV3 + 577 * 10, MACS1_16 + MACS2 + MACS3 + 5760),
    "dropout": (CONV1_16 + CONV2 + CONV3 + 577 * 10, MACS1_16 + MACS2 + MACS3 + 5760),
    "batch_norm": (
        9 * 16 + 9 * 16 * 32 + 9 * 32 * 64 + 4 * (16 + 32 + 64) + 577 * 10,
        MACS1_16 + MACS2 + MACS3 + 5760,
    ),
}
BY_HAND["top"] = BY_HAND["batch_norm"]


def test_reference_model_has_13610_parameters_and_62192_macs():
    assert count_params(LabConfig()) == 13610
    assert count_macs(LabConfig()) == 26 * 26 * 8 * 9 + 1352 * 10 == 62192


def test_every_preset_counts_equal_keras_and_a_hand_count():
    assert [p.name for p in LADDER] == list(BY_HAND)
    for row in ladder_rows():
        config = preset_config(row["name"])
        assert (row["params"], row["macs"]) == BY_HAND[row["name"]], row["name"]
        assert build_model(config).count_params() == row["params"], row["name"]
    assert BY_HAND["reference"] == (13610, 62192)


def test_each_rung_changes_the_previous_one():
    configs = [preset_config(p.name) for p in LADDER]
    assert configs[0] == LabConfig()
    for before, after, rung in zip(configs, configs[1:], LADDER[1:], strict=False):
        assert before != after, rung.name
        assert rung.why and rung.keras and rung.change


# Worked by hand: conv (k*k + 1) * f, then dense (side*side*f + 1) * 10 with
# side = (28 - k + 1) // pool.
@pytest.mark.parametrize(
    ("filters", "kernel", "pool", "params"),
    [
        (4, 3, 2, 40 + 6_770),  # side 13
        (16, 5, 2, 416 + 23_050),  # side 12
        (32, 7, 2, 1_600 + 38_730),  # side 11
        (8, 1, 2, 16 + 15_690),  # side 14
        (8, 3, 3, 80 + 5_130),  # side 8
        (2, 28, 1, 1_570 + 30),  # side 1
    ],
)
def test_parameter_count_by_hand(filters, kernel, pool, params):
    assert count_params(LabConfig(filters=filters, kernel=kernel, pool=pool)) == params


def test_dropout_adds_a_layer_but_no_parameters():
    layers = layer_summary(LabConfig(dropout=0.25))
    assert [layer.kind for layer in layers] == [
        "Input",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dropout",
        "Dense",
    ]
    assert layers[2].output_shape == (13, 13, 8)
    assert count_params(LabConfig(dropout=0.25)) == 13610


def test_keras_model_agrees_with_the_arithmetic():
    configs = (
        LabConfig(),
        LabConfig(filters=16, kernel=5, dropout=0.5),
        LabConfig(blocks=2, stride=2, pool=1, hidden=32, batch_norm=True, shift=2, rotation=5),
        LabConfig(blocks=3, pool=1, kernel2=5, pool3=1, conv_activation="relu", hidden=16),
    )
    for config in configs:
        model = build_model(config)
        assert model.count_params() == count_params(config)
        keras_shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
        assert keras_shapes == [layer.output_shape for layer in layer_summary(config)[1:]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"filters": 0}, "filters"),
        ({"kernel": 29}, "kernel"),
        ({"kernel": 4, "pool": 26}, "pool"),
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": -0.1}, "dropout"),
        ({"optimizer": "adagrad"}, "optimizer"),
        ({"normalization": "zscore"}, "normalization"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"conv_activation": "tanh"}, "conv_activation"),
        ({"train_limit": 0}, "train_limit"),
    ],
)
def test_invalid_settings_name_their_field(changes, field):
    with pytest.raises(ConfigError, match=rf"^{field}: "):
        LabConfig(**changes).validate()


def test_dict_round_trip_and_unknown_key():
    config = LabConfig(filters=16, dropout=0.25, train_limit=100)
    assert LabConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="^colour: "):
        LabConfig.from_dict({"colour": "red"})
