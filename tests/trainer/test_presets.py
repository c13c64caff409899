"""Every rung of the ladder trains (1 epoch on a small real slice) and records its costs."""

from __future__ import annotations

import dataclasses

import pytest

from trainer import MnistData, load_mnist
from trainer.presets import LADDER, preset_config
from trainer.seeds import mean_spread, parse_seeds, train_seeds
from trainer.training import train


@pytest.fixture(scope="module")
def small(mnist_dir) -> MnistData:
    """2,000 real training digits and 1,000 test digits: seconds per rung."""
    data = load_mnist(mnist_dir)
    return dataclasses.replace(
        data,
        train_images=data.train_images[:2000],
        train_labels=data.train_labels[:2000],
        test_images=data.test_images[:1000],
        test_labels=data.test_labels[:1000],
    )


@pytest.mark.parametrize("name", [p.name for p in LADDER])
def test_every_preset_trains_one_epoch_and_records_its_costs(name, small):
    config = dataclasses.replace(preset_config(name), epochs=1)
    result = train(config, small)
    assert not result.cancelled and len(result.history) == 1
    assert result.params == result.model.count_params()
    assert result.size_bytes == 4 * result.params
    assert result.macs > 0
    assert result.train_images_per_s == pytest.approx(2000 / result.fit_seconds)
    assert set(result.infer_ms) == {"batch1", "batch1000"}
    assert all(ms > 0 for ms in result.infer_ms.values())
    assert result.infer_ms["batch1000"] < result.infer_ms["batch1"]
    if not config.batch_norm:  # BN's moving averages need more than 16 steps to settle
        assert result.test_accuracy > 0.5, name
    saved = result.to_dict()
    assert saved["macs"] == result.macs and saved["infer_ms"] == result.infer_ms


def test_several_seeds_give_a_mean_and_a_spread(small):
    runs = train_seeds(dataclasses.replace(preset_config("reference"), epochs=1), [0, 1], small)
    assert [r.config.seed for r in runs.runs] == [0, 1]
    assert runs.accuracies[0] != runs.accuracies[1]
    assert runs.mean == pytest.approx(sum(runs.accuracies) / 2)
    assert runs.spread > 0
    assert runs.runs[0].model is None and runs.runs[1].model is not None


def test_mean_spread_and_seed_parsing():
    assert mean_spread([0.97]) == (0.97, 0.0)
    mean, spread = mean_spread([0.96, 0.97, 0.98])
    assert mean == pytest.approx(0.97) and spread == pytest.approx(0.01)
    assert parse_seeds("1, 2,3") == [1, 2, 3]
    for bad in ("", "1,1", "1,x", "-1"):
        with pytest.raises(Exception, match="^seed"):
            parse_seeds(bad)


def test_predict_and_draw_inspect_any_layer_of_the_top_model(small):
    from trainer.inspect import conv_filters, feature_maps, map_layers, predict

    config = dataclasses.replace(preset_config("top"), epochs=1)
    model = train(config, small).model
    layers = map_layers(model)
    assert layers[0] == "conv" and "shift" not in layers and "rotate" not in layers
    assert layers[-1] == "relu3"
    assert conv_filters(model).shape == (3, 3, 16)
    image = small.test_images[0]
    assert feature_maps(model, image, "center").shape == (26, 26, 16)
    assert feature_maps(model, image, "center", "pool2").shape == (5, 5, 32)
    assert feature_maps(model, image, "center", "relu3").shape == (3, 3, 64)
    drawn = predict(model, image, "center")  # what the Draw step does with a pad's digit
    assert drawn.shape == (1, 10) and abs(float(drawn.sum()) - 1) < 1e-4
