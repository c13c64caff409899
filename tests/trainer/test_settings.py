"""The lab-settings registry: one table drives validation, parsing, summaries and saving."""

from __future__ import annotations

import dataclasses
import math

import pytest

from trainer import ConfigError, LabConfig
from trainer.settings import (
    BY_NAME,
    SETTINGS,
    SWEEPABLE,
    describe,
    parse_assignment,
    parse_values,
    with_defaults,
)


def test_registry_and_config_fields_are_the_same_list_with_the_same_defaults(other_values):
    names = [f.name for f in dataclasses.fields(LabConfig)]
    assert names == [s.name for s in SETTINGS]
    assert LabConfig().to_dict() == {s.name: s.default for s in SETTINGS}
    assert set(other_values) == set(names)


def test_every_setting_round_trips_through_text_config_and_dict(other_values):
    config = LabConfig(**other_values)
    config.validate()
    for name, value in other_values.items():
        spec = BY_NAME[name]
        assert value != spec.default
        assert spec.parse(spec.show(value)) == value  # as typed on the CLI or in a form
        assert parse_assignment(f"{name}={spec.show(value)}") == (name, value)
    assert LabConfig.from_dict(config.to_dict()) == config


def test_old_saved_configs_load_with_the_new_settings_at_their_defaults():
    old = {
        "filters": 16,
        "kernel": 5,
        "pool": 2,
        "conv_activation": "relu",
        "dropout": 0.25,
        "normalization": "center",
        "epochs": 3,
        "batch_size": 32,
        "optimizer": "adam",
        "learning_rate": 0.001,
        "seed": 1,
        "train_limit": None,
    }
    config = LabConfig.from_dict(old)
    assert config.blocks == 1 and not config.batch_norm and config.schedule == "constant"
    assert config == LabConfig(filters=16, kernel=5, conv_activation="relu", dropout=0.25)
    assert describe(old) == "conv 16x5/p2, conv activation relu, dropout 0.25, 3 ep"
    assert with_defaults(old)["shift"] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("filters=1e9", r"^filters: 1000000000 must be from 1 to 256$"),
        ("filters=100000", r"^filters: 100000 must be from 1 to 256$"),
        ("learning_rate=inf", r"^learning_rate: inf must be a finite number$"),
        ("learning_rate=nan", r"^learning_rate: nan must be a finite number$"),
        ("batch_size=1e9", r"^batch_size: 1000000000 must be from 1 to 4,096$"),
        ("epochs=1.5", r"^epochs: '1.5' is not a valid value$"),
        ("dropout=1", r"^dropout: 1.0 must be from 0 and below 1$"),
        ("optimizer=adagrad", r"^optimizer: 'adagrad' is not a valid value$"),
        ("colour=red", r"^colour: not a lab setting"),
        ("filters", r"expected KEY=VALUE"),
        ("train_limit=0", r"^train_limit: 0 must be from 1 to 10,000,000$"),
    ],
)
def test_bad_assignments_name_the_field(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_assignment(text)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"filters": 10**9}, "filters"),
        ({"learning_rate": math.inf}, "learning_rate"),
        ({"batch_size": 10**9}, "batch_size"),
        ({"epochs": 101}, "epochs"),
        ({"hidden": 2048}, "hidden"),
        ({"label_smoothing": 0.9}, "label_smoothing"),
        ({"rotation": -1}, "rotation"),
        ({"batch_norm": 1}, "batch_norm"),
        ({"schedule": "step"}, "schedule"),
        ({"seed": 2**40}, "seed"),
        ({"blocks": 3, "kernel3": 6}, "kernel3"),  # 28 -> 26 -> 13 -> 11 -> 5: no room
        ({"blocks": 2, "kernel2": 13, "pool2": 4}, "pool2"),  # a 1x1 map left
        ({"stride": 3, "kernel": 28, "pool": 2}, "pool"),
    ],
)
def test_config_validation_bounds_every_number(changes, field):
    with pytest.raises(ConfigError, match=rf"^{field}: "):
        LabConfig(**changes).validate()


def test_one_sweep_parser_types_values_as_the_setting():
    assert parse_values("filters", "4, 8;16") == [4, 8, 16]
    assert parse_values("dropout", "0, 0.25") == [0.0, 0.25]
    assert parse_values("conv_activation", "none, relu") == [None, "relu"]
    assert parse_values("batch_norm", "off,on") == [False, True]
    assert parse_values("schedule", "constant,onecycle") == ["constant", "onecycle"]
    with pytest.raises(ConfigError, match="^filters: 'x' is not a valid value$"):
        parse_values("filters", "4,x")
    with pytest.raises(ConfigError, match="^kernel: no values given$"):
        parse_values("kernel", " , ")


def test_sweepable_settings_offer_valid_values():
    for name, values in SWEEPABLE.items():
        for value in values:
            BY_NAME[name].check(value)
    assert SWEEPABLE["filters"] == (4, 8, 16, 32)
