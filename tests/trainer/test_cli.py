"""`kviz lab`: JSON output for scripts, and one-line errors for a bad MNIST folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from kviz.cli import main


def test_reference_json(mnist_dir, capsys):
    code = main(
        [
            "lab",
            "reference",
            "--mnist-dir",
            str(mnist_dir),
            "--epochs",
            "1",
            "--train-limit",
            "2000",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "(2000, 28, 28, 1)" in out and "(10000, 28, 28, 1)" in out
    assert "Epoch 1/1" in out
    assert f"(MNIST, 2,000 train / 10,000 test: folder {mnist_dir})" in out  # the summary
    report = json.loads(out.strip().splitlines()[-1])
    for key in (
        "test_accuracy",
        "first5",
        "truth5",
        "fit_seconds",
        "params",
        "n_train",
        "n_test",
        "source",
    ):
        assert key in report
    assert report["truth5"] == [7, 2, 1, 0, 4]
    assert report["n_train"] == 2000 and report["params"] == 13610
    assert str(mnist_dir) in report["source"]


def test_top_level_mnist_dir_is_kept(mnist_dir, capsys):
    code = main(
        [
            "--mnist-dir",
            str(mnist_dir),
            "lab",
            "sweep",
            "--param",
            "kernel",
            "--values",
            "3,5",
            "--epochs",
            "1",
            "--train-limit",
            "500",
            "--json",
        ]
    )
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert [(row["value"], row["params"]) for row in rows] == [(3, 13610), (5, 11738)]


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_bad_folder_is_one_line_without_traceback(mnist_dir, tmp_path, damage):
    for path in mnist_dir.glob("*-ubyte.gz"):
        shutil.copy(path, tmp_path / path.name)
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    if damage == "missing":
        labels.unlink()
    else:
        labels.write_bytes(b"not gzip at all")
    proc = subprocess.run(
        [sys.executable, "-m", "kviz", "lab", "reference", "--mnist-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("kviz: error: ")
    assert "train-labels-idx1-ubyte.gz" in lines[0] and damage in lines[0]
    assert "Traceback" not in proc.stderr


def test_bad_setting_is_one_line(capsys):
    assert main(["lab", "sweep", "--param", "dropout", "--values", "0,1.5"]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("kviz: error: dropout: ")


def test_offline_reference_runs_on_the_sample_and_says_so(monkeypatch, capsys):
    """No folder, an empty cache (the isolated user dirs) and no reachable mirror."""
    monkeypatch.delenv("KVIZ_MNIST_DIR", raising=False)
    monkeypatch.setattr("trainer.mirrors.MIRRORS", ())
    assert main(["lab", "reference", "--json"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == (
        "data: offline sample (5,000 digits), 4,000 train / 1,000 test images"
    )
    # the same advice as the app's banner, in one line: what it costs, why, what to do
    (advice,) = [line for line in err.splitlines() if line.startswith("kviz: note: ")]
    assert "offline sample, not MNIST: 4,000 training / 1,000 test digits" in advice
    assert "because no MNIST folder is set and the download failed" in advice
    assert "no mirrors configured" in advice and "--mnist-dir DIR" in advice
    report = json.loads(out.strip().splitlines()[-1])
    assert report["source"] == "offline sample (5,000 digits)"
    assert report["n_train"] == 4000 and report["n_test"] == 1000
    assert report["test_accuracy"] >= 0.85


def test_out_of_memory_is_one_line(mnist_dir, capsys, monkeypatch):
    import trainer.training

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(trainer.training, "build_model", out_of_memory)
    argv = ["lab", "reference", "--mnist-dir", str(mnist_dir), "--train-limit", "100"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("kviz: error: not enough memory to train this model")
    assert len(err.strip().splitlines()) == 1


def test_presets_json_lists_the_ladder_reference_first(capsys):
    assert main(["lab", "presets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["presets"]
    assert rows[0] == {
        "name": "reference",
        "title": "The seed's model",
        "change": "one linear 8-filter conv, 2x2 max pooling, Dense(10) softmax",
        "params": 13610,
        "macs": 62192,
    }
    assert rows[-1]["name"] == "top" and len(rows) >= 7


def test_run_preset_over_two_seeds_saves_to_the_learners_records(mnist_dir, tmp_path, capsys):
    from kviz.store.database import open_database
    from kviz.store.lab_runs import list_lab_runs

    db_path = tmp_path / "k.db"
    args = ["lab", "run", "--preset", "relu", "--set", "batch_size=64", "--epochs", "1"]
    args += ["--seeds", "1,2", "--train-limit", "1000", "--mnist-dir", str(mnist_dir)]
    args += ["--db", str(db_path), "--learner", "Ada", "--json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    report = json.loads(out.strip().splitlines()[-1])
    for key in ("test_accuracy", "accuracies", "spread", "fit_seconds", "params", "macs"):
        assert key in report
    for key in ("infer_ms", "first5", "truth5", "n_train", "n_test", "source"):
        assert key in report
    assert len(report["accuracies"]) == 2
    assert report["test_accuracy"] == pytest.approx(sum(report["accuracies"]) / 2)
    assert report["config"]["batch_size"] == 64 and report["config"]["conv_activation"] == "relu"
    assert report["n_train"] == 1000 and report["macs"] == 62192
    assert set(report["infer_ms"]) == {"batch1", "batch1000"}
    db = open_database(str(db_path))
    try:
        runs = list_lab_runs(db)
    finally:
        db.close()
    assert [r.config["seed"] for r in runs] == [1, 2]
    assert {r.metrics["preset"] for r in runs} == {"relu"}
    assert runs[0].metrics["macs"] == 62192
    # Each seed's model is saved with its run, for the app's Predict and Draw.
    models = tmp_path / "models" / "k"
    assert sorted(p.name for p in models.iterdir()) == sorted(f"{r.uid}.keras" for r in runs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lab", "run", "--preset", "top", "--set", "filters=1e9"], "filters: 1000000000 must"),
        (
            ["lab", "reference", "--set", "learning_rate=inf"],
            "learning_rate: inf must be a finite number",
        ),
        (["lab", "sweep", "--param", "batch_size", "--values", "32,1e9"], "batch_size: 10"),
        (["lab", "run", "--preset", "nope"], "preset: 'nope' is not one of reference"),
        (["lab", "run", "--preset", "top", "--seeds", "1,1"], "seeds: '1,1' repeats a seed"),
        (["lab", "reference", "--set", "colour=red"], "colour: not a lab setting"),
    ],
)
def test_bad_lab_settings_are_one_line_naming_the_field(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kviz: error: {message}") and "\n" not in err


def test_remembered_folder_is_used_and_a_full_run_gives_no_advice(mnist_dir, capsys):
    """The folder chosen in the app (kviz.preferences) is the CLI's too, after --mnist-dir
    and $KVIZ_MNIST_DIR (both unset here by the isolated user dirs)."""
    from kviz.preferences import remember_mnist_dir

    remember_mnist_dir(mnist_dir)
    argv = ["lab", "reference", "--epochs", "1", "--train-limit", "300", "--json"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == (
        f"data: folder {mnist_dir.resolve()}, 60,000 train / 10,000 test images"
    )
    assert "kviz: note" not in err
    assert json.loads(out.strip().splitlines()[-1])["n_test"] == 10000


def test_damaged_settings_file_is_named_and_ignored(mnist_dir, capsys, monkeypatch):
    from kviz.preferences import preferences_path

    monkeypatch.setattr("trainer.mirrors.MIRRORS", ())
    path = preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"mnist_dir": ')
    argv = ["lab", "reference", "--epochs", "1", "--train-limit", "300"]
    assert main([*argv, "--mnist-dir", str(mnist_dir)]) == 0  # an explicit folder wins
    assert "kviz: warning" not in capsys.readouterr().err
    assert main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"kviz: warning: {path}: line 1: not valid JSON (Expecting value); choose the MNIST "
        "folder again to rewrite it; ignoring the remembered MNIST folder"
    )
    assert err[1].startswith("kviz: note: Training on the offline sample")
