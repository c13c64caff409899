"""Loading MNIST: the real folder, a broken folder, $KVIZ_MNIST_DIR, and the offline sample."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from trainer import DataError, load_mnist, prepare
from trainer.sample import SOURCE, load_sample


def test_loads_the_real_folder(mnist_dir):
    data = load_mnist(mnist_dir)
    assert data.train_images.shape == (60000, 28, 28)
    assert data.test_images.shape == (10000, 28, 28)
    assert data.train_images.dtype == np.uint8 and data.train_labels.dtype == np.uint8
    assert data.test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert data.source_kind == "folder" and str(mnist_dir) in data.source


def test_env_var_names_the_folder(mnist_dir, monkeypatch):
    monkeypatch.setenv("KVIZ_MNIST_DIR", str(mnist_dir))
    assert load_mnist().source_kind == "folder"


def test_folder_missing_a_file_names_it(mnist_dir, tmp_path):
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        shutil.copy(mnist_dir / name, tmp_path / name)
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: missing"):
        load_mnist(tmp_path)


def test_folder_with_a_truncated_file_names_it(mnist_dir, tmp_path):
    for path in mnist_dir.glob("*-ubyte.gz"):
        shutil.copy(path, tmp_path / path.name)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:1000])
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz: corrupt"):
        load_mnist(tmp_path)


def test_offline_sample_is_5000_real_digits_split_4000_1000():
    data = load_sample()
    assert data.train_images.shape == (4000, 28, 28)
    assert data.test_images.shape == (1000, 28, 28)
    assert data.source == SOURCE == "offline sample (5,000 digits)"
    assert data.source_kind == "sample"
    counts = np.bincount(np.concatenate([data.train_labels, data.test_labels]))
    assert counts.tolist() == [500] * 10
    # shuffled, so the test split holds every digit, not just the last ones
    assert set(data.test_labels.tolist()) == set(range(10))
    assert np.array_equal(load_sample().train_labels, data.train_labels)


def test_prepare_scales_as_asked():
    images = np.array([[[0, 255]]], dtype=np.uint8)
    assert prepare(images, "center").ravel().tolist() == [-0.5, 0.5]
    assert prepare(images, "unit").ravel().tolist() == [0.0, 1.0]
    assert prepare(images, "none").ravel().tolist() == [0.0, 255.0]
    assert prepare(images, "center").shape == (1, 1, 2, 1)
    assert prepare(images, "center").dtype == np.float32


def test_check_folder_names_every_missing_file(mnist_dir, tmp_path):
    from trainer.data import check_folder

    (tmp_path / "train-images-idx3-ubyte.gz").symlink_to(mnist_dir / "train-images-idx3-ubyte.gz")
    with pytest.raises(DataError) as caught:
        check_folder(tmp_path)
    message = str(caught.value)
    assert message == (
        f"{tmp_path}: train-labels-idx1-ubyte.gz: missing; t10k-images-idx3-ubyte.gz: "
        "missing; t10k-labels-idx1-ubyte.gz: missing"
    )  # the file that is there is not blamed
    assert check_folder(mnist_dir) == mnist_dir


def test_data_label_tells_a_sample_run_from_a_full_one():
    from trainer.data import data_label

    assert data_label(SOURCE, 4000, 1000) == "sample, 4,000 train / 1,000 test"
    assert data_label("folder /x", 60000, 10000) == "MNIST, 60,000 train / 10,000 test"
    assert data_label("cache /c", None, None) == "MNIST"
    assert data_label("", None, None) == "data not recorded"  # never guessed
    assert data_label(SOURCE, 4000, 1000, short=True) == "sample, 4,000 / 1,000"
