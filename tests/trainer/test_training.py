"""Training: it learns, it repeats exactly under a seed, it cancels promptly, it can be inspected.

Runs on small real slices; the full 60,000-image reference run is marked slow.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from trainer import LabConfig, MnistData, load_mnist, sweep, train
from trainer.inspect import conv_filters, feature_maps, predict
from trainer.sweep import comparison_table

SUBSET = LabConfig(epochs=1, train_limit=5000)


@pytest.fixture(scope="module")
def data(mnist_dir) -> MnistData:
    return load_mnist(mnist_dir)


@pytest.fixture(scope="module")
def subset_run(data):
    events = []
    result = train(SUBSET, data, listener=events.append)
    return result, events


def test_one_epoch_on_5000_images_learns(subset_run):
    result, _ = subset_run
    assert result.test_accuracy >= 0.80
    assert result.n_train == 5000 and result.n_test == 10000
    assert result.params == 13610
    assert not result.cancelled
    assert len(result.history) == 1
    assert np.array(result.confusion).sum() == 10000
    assert np.trace(result.confusion) == round(result.test_accuracy * 10000)
    assert [p.truth for p in result.predictions] == [7, 2, 1, 0, 4]
    assert all(abs(sum(p.probabilities) - 1) < 1e-4 for p in result.predictions)
    assert result.history[-1].val_accuracy == pytest.approx(result.test_accuracy, abs=1e-6)


def test_progress_events_count_up_to_the_epoch(subset_run):
    _, events = subset_run
    batches = [e for e in events if e.kind == "batch"]
    assert len(batches) >= 5
    assert [e.batch for e in batches] == sorted(e.batch for e in batches)
    assert batches[-1].batch == batches[-1].batches == 157
    assert batches[-1].eta_s == pytest.approx(0.0, abs=1e-9)
    assert all(e.images_per_s > 0 and e.elapsed_s > 0 for e in batches)
    (epoch,) = [e for e in events if e.kind == "epoch"]
    assert epoch.val_accuracy is not None and epoch.val_loss is not None


def test_seeded_run_repeats_exactly(subset_run, data):
    first, _ = subset_run
    again = train(SUBSET, data)
    assert again.test_accuracy == pytest.approx(first.test_accuracy, abs=1e-6)
    assert again.test_loss == pytest.approx(first.test_loss, abs=1e-6)


def test_cancel_stops_within_two_seconds(data, seconds):
    cancel = threading.Event()
    stopped_at: list[float] = []

    def listener(event):
        if event.kind == "batch" and not cancel.is_set():
            cancel.set()
            stopped_at.append(time.perf_counter())

    result = train(LabConfig(epochs=3), data, listener=listener, cancel=cancel)
    assert time.perf_counter() - stopped_at[0] < seconds(2.0)
    assert result.cancelled
    assert result.history == []


def test_inspection_of_a_trained_model(subset_run, data):
    result, _ = subset_run
    model = result.model
    assert conv_filters(model).shape == (3, 3, 8)
    assert feature_maps(model, data.test_images[0], "center").shape == (26, 26, 8)
    probabilities = predict(model, data.test_images[:5], "center")
    assert probabilities.shape == (5, 10)
    assert probabilities.argmax(axis=1).tolist() == [p.label for p in result.predictions]
    assert predict(model, data.test_images[0], "center").shape == (1, 10)


def test_sweep_compares_runs(data, monkeypatch):
    import gc
    import importlib
    import weakref

    sweep_module = importlib.import_module("trainer.sweep")  # `trainer.sweep` is the function

    models: list[weakref.ref] = []

    def keeping_track(*args, **kwargs):
        result = train(*args, **kwargs)
        models.append(weakref.ref(result.model))
        return result

    monkeypatch.setattr(sweep_module, "train", keeping_track)
    base = LabConfig(epochs=1, train_limit=1000)
    results = sweep(base, "filters", [4, 8], data)
    gc.collect()
    assert all(r.model is None for r in results) and all(ref() is None for ref in models)
    assert all(r.confusion and r.history and r.predictions for r in results)  # what the UI needs
    rows = comparison_table(results, "filters")
    assert [row.value for row in rows] == [4, 8]
    assert [row.params for row in rows] == [6810, 13610]
    assert all(0.0 < row.test_accuracy <= 1.0 and row.fit_seconds > 0 for row in rows)


@pytest.mark.slow
def test_reference_run_on_full_mnist(data):
    result = train(LabConfig(), data)
    assert result.n_train == 60000 and result.params == 13610
    assert result.test_accuracy >= 0.96
    assert [p.label for p in result.predictions] == [7, 2, 1, 0, 4]
    assert [p.truth for p in result.predictions] == [7, 2, 1, 0, 4]
    assert len(result.history) == 3


def test_out_of_memory_is_one_resource_error(data, monkeypatch):
    """MemoryError or TensorFlow's OOM while building or fitting becomes a ResourceError."""
    import tensorflow as tf

    import trainer.training
    from trainer import ResourceError

    for exc in (MemoryError(), tf.errors.ResourceExhaustedError(None, None, "OOM when allocating")):

        def out_of_memory(*args, exc=exc, **kwargs):
            raise exc

        monkeypatch.setattr(trainer.training, "build_model", out_of_memory)
        with pytest.raises(ResourceError, match="not enough memory to train this model"):
            train(LabConfig(epochs=1, train_limit=100, filters=64), data)
