"""Saved run models: written with the run's uid, read back in safe mode, pruned when no run
needs them, and a bad file named in one message instead of a traceback."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from kviz.store import lab_runs as lr
from kviz.store import records as r
from kviz.store import run_models as rm


@pytest.fixture(scope="module")
def sample():
    from trainer.sample import load_sample

    return load_sample()


@pytest.fixture(scope="module")
def swept(sample, tmp_path_factory):
    """Two tiny runs of a sweep, each model saved from `on_result` (the sweep drops it after)."""
    from trainer.config import LabConfig
    from trainer.sweep import sweep

    folder = tmp_path_factory.mktemp("sweep") / "models"
    saved = {}

    def keep(_index, result):
        assert result.model is not None  # still there: the sweep drops it after this call
        saved[result.uid] = rm.save_model(result.model, folder, result.uid)

    base = LabConfig(epochs=1, train_limit=300, batch_size=64)
    results = sweep(base, "filters", [4, 6], sample, on_result=keep)
    assert all(res.model is None for res in results)
    return folder, results, saved


def test_a_sweep_run_model_round_trips_with_its_record(db, sample, swept):
    from trainer.inspect import predict

    folder, results, saved = swept
    assert list(saved) == [res.uid for res in results]
    ann = r.get_or_create_learner(db, "ann")
    for res in results:
        lr.save_lab_run(db, ann.id, res.to_dict())
    runs = lr.list_lab_runs(db, ann.id)
    assert [run.uid for run in runs] == [res.uid for res in results] == lr.lab_run_uids(db)
    model = rm.load_model(folder, runs[1].uid)
    probs = predict(model, sample.test_images, "center")
    # The reloaded model gives the accuracy measured when it was trained.
    accuracy = float((probs.argmax(axis=1) == sample.test_labels).mean())
    assert rm.model_path(folder, runs[1].uid).stat().st_mode & 0o777 == 0o600
    assert accuracy == pytest.approx(results[1].test_accuracy, abs=1e-6)
    assert model.layers[0].filters == 6


def test_the_folder_is_per_database_beside_its_file(db, tmp_path):
    assert rm.folder_for(db) == tmp_path / "models" / "kviz"


def test_prune_removes_old_orphans_then_the_oldest_runs_models(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    uids = [str(uuid.uuid4()) for _ in range(4)]
    for uid in uids[:3]:
        rm.model_path(folder, uid).write_bytes(b"x" * 1000)
    old_orphan, new_orphan = rm.model_path(folder, uids[3]), folder / ".left.part.keras"
    old_orphan.write_bytes(b"x")
    new_orphan.write_bytes(b"x")
    hour_ago = time.time() - rm.ORPHAN_AGE_S - 5
    os.utime(old_orphan, (hour_ago, hour_ago))
    removed = rm.prune(folder, uids[:3], max_bytes=10_000)
    assert removed == [old_orphan]
    assert new_orphan.exists()  # its run may still be on its way to the database
    removed = rm.prune(folder, uids[:3], max_bytes=2_000)
    assert removed == [rm.model_path(folder, uids[0])]  # the oldest run's model goes first
    removed = rm.prune(folder, uids[:3], max_bytes=10)
    assert removed == [rm.model_path(folder, uids[1])]  # the newest one always stays
    assert rm.has_model(folder, uids[2])


def test_prune_for_keeps_the_models_of_saved_runs(db, swept):
    import shutil

    folder, results, _saved = swept
    mine = rm.folder_for(db)
    shutil.copytree(folder, mine)
    lr.save_lab_run(db, None, results[0].to_dict())
    hour_ago = time.time() - rm.ORPHAN_AGE_S - 5
    for path in mine.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    assert rm.prune_for(db) == [rm.model_path(mine, results[1].uid)]  # no record: an orphan
    assert rm.has_model(mine, results[0].uid)


def test_a_corrupt_or_missing_model_file_is_named(tmp_path):
    uid = "0f0e0d0c-0b0a-4908-8706-050403020100"
    with pytest.raises(rm.ModelFileError, match=f"{uid}.keras: the model file is missing"):
        rm.load_model(tmp_path, uid)
    rm.model_path(tmp_path, uid).write_bytes(b"not a zip at all")
    with pytest.raises(rm.ModelFileError) as info:
        rm.load_model(tmp_path, uid)
    message = str(info.value)
    assert message.startswith(str(tmp_path / f"{uid}.keras"))
    assert "not a readable Keras model" in message and "\n" not in message
    with pytest.raises(ValueError, match="not a run uid"):
        rm.model_path(tmp_path, "../../etc/passwd")


def test_a_model_that_cannot_be_written_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    model = type("M", (), {"save": lambda self, path: None})()
    with pytest.raises(rm.ModelFileError, match="could not save the model"):
        rm.save_model(model, blocker / "models", "0f0e0d0c-0b0a-4908-8706-050403020100")


def test_a_server_database_gets_its_own_folder_in_the_data_folder():
    from types import SimpleNamespace

    from sqlalchemy.engine import make_url

    from kviz.paths import data_dir

    def server(url):
        return SimpleNamespace(path=None, engine=SimpleNamespace(url=make_url(url)))

    one = rm.folder_for(server("postgresql+psycopg://ana:secret@host/kviz"))
    assert one.parent == data_dir() / "models" and one.name.startswith("server-")
    assert rm.folder_for(server("postgresql+psycopg://ana:other@host/kviz")) == one  # no password
    assert rm.folder_for(server("postgresql+psycopg://ana:secret@host/class2")) != one
