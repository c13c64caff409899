"""LabConfig validation and the parameter arithmetic the GUI shows without TensorFlow."""

from __future__ import annotations

import pytest

from trainer import ConfigError, LabConfig
from trainer.model import build_model, count_params, layer_summary


def test_reference_model_has_13610_parameters():
    assert count_params(LabConfig()) == 13610


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
    for config in (LabConfig(), LabConfig(filters=16, kernel=5, dropout=0.5)):
        assert build_model(config).count_params() == count_params(config)


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
