"""Keras vs PyTorch: both programs start from the same function, learn alike, and the lab
and CLI say how to install PyTorch when it is missing.

Tests that train need PyTorch: they skip (with the reason) on a machine without it, and fail
under CI=true, where the `pytorch` extra is installed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from kviz.cli import main
from trainer import ConfigError, MnistData, load_mnist
from trainer.versus import (
    INSTALL_HINT,
    TorchMissing,
    aligned_programs,
    torch_available,
    versus,
)

ROOT = Path(__file__).resolve().parents[2]
# A process in which `import torch` fails as it does where torch is not installed.
HIDE_TORCH = "import sys; sys.modules['torch'] = None; "


def tiny_data(n: int = 64) -> MnistData:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    return MnistData(images, labels, images[:16], labels[:16], "synthetic", "sample")


def test_programs_align_section_by_section():
    keras_text, torch_text, sections = aligned_programs()
    keras_lines, torch_lines = keras_text.split("\n"), torch_text.split("\n")
    assert len(keras_lines) == len(torch_lines)
    titles = [s.title for s in sections]
    assert titles == [
        "Imports",
        "Data",
        "Model",
        "Starting weights",
        "Loss and optimizer",
        "Training",
        "Test",
    ]
    for section in sections[1:]:
        marker = f"# --- {section.title} ---"
        assert keras_lines[section.first_line] == marker == torch_lines[section.first_line]
    model = sections[titles.index("Model")]
    shown = slice(model.first_line, model.first_line + model.lines)
    assert any("keras.layers.Conv2D" in line for line in keras_lines[shown])
    assert any("nn.Conv2d" in line for line in torch_lines[shown])


def test_only_torch_reference_imports_torch():
    for path in list((ROOT / "trainer").glob("*.py")) + list((ROOT / "kviz").rglob("*.py")):
        found = re.search(r"^\s*(import|from) torch\b", path.read_text(), re.MULTILINE)
        assert (found is not None) == (path.name == "torch_reference.py"), path


def test_importing_trainer_and_the_cli_does_not_import_torch():
    code = (
        "import sys, trainer, trainer.versus, kviz.commands.versus; "
        "print('torch' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.split() == ["False", "False"]


def test_without_torch_the_cli_says_how_to_install_it():
    code = HIDE_TORCH + "from kviz.cli import main; sys.exit(main(['lab', 'versus', '--json']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines == [f"kviz: error: {INSTALL_HINT}"]
    assert "pip install 'kviz[pytorch]'" in lines[0]
    assert "download.pytorch.org/whl/cpu" in lines[0]


def test_without_torch_the_trainer_raises_the_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert not torch_available()
    with pytest.raises(TorchMissing, match="pip install"):
        versus(tiny_data())


def test_bad_settings_name_the_field(torch_required):
    with pytest.raises(ConfigError, match="^rounds: "):
        versus(tiny_data(), rounds=0)
    with pytest.raises(ConfigError, match="^epochs: "):
        versus(tiny_data(), epochs=0)
    with pytest.raises(ConfigError, match="^threads: "):
        versus(tiny_data(), threads=-1)


def test_cli_checks_settings_before_loading_anything(torch_required, capsys, tmp_path):
    # The folder holds no MNIST: the settings are refused before it is read.
    code = main(["lab", "versus", "--rounds", "0", "--mnist-dir", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == "kviz: error: rounds: must be at least 1, not 0\n"


def test_a_failing_side_is_one_line_naming_it(torch_required, monkeypatch):
    from trainer import TrainerError
    from trainer import versus as module

    write_inputs = module._write_inputs

    def without_epochs(folder, data, config):
        sizes = write_inputs(folder, data, config)
        settings = json.loads((folder / "settings.json").read_text())
        del settings["epochs"]
        (folder / "settings.json").write_text(json.dumps(settings))
        return sizes

    monkeypatch.setattr(module, "_write_inputs", without_epochs)
    with pytest.raises(TrainerError) as failure:
        versus(tiny_data(), epochs=1, rounds=1)
    message = str(failure.value)
    assert message.startswith("the Keras (TensorFlow) run failed (exit code 1): KeyError")
    assert "epochs" in message and "\n" not in message


def test_cli_json_on_a_slice_starts_both_from_the_same_function(torch_required, mnist_dir, capsys):
    args = ["lab", "versus", "--mnist-dir", str(mnist_dir), "--epochs", "1", "--rounds", "1"]
    code = main([*args, "--train-limit", "640", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)  # stdout holds the JSON object only
    assert report["same_init_max_abs_diff"] < 1e-5
    assert report["threads"] == 1 and report["n_train"] == 640 and report["rounds"] == 1
    for side in ("keras", "pytorch"):
        figures = report[side]
        assert figures["steps"] == 20  # 640 images in batches of 32
        for key in ("import_s", "first_step_s", "step_ms", "fit_seconds"):
            assert figures[key] > 0, (side, key)
        assert 0.1 < figures["test_accuracy"] <= 1.0
    # The copy is checked in the PyTorch run; the Keras run saved the weights.
    assert report["pytorch"]["rounds"][0]["init_max_abs_diff"] < 1e-5
    assert report["keras"]["rounds"][0]["init_max_abs_diff"] is None
    # Same start, same batches, same loss and optimizer: after 20 steps they still agree.
    assert abs(report["keras"]["test_accuracy"] - report["pytorch"]["test_accuracy"]) < 0.02


def test_cancel_stops_the_running_side_promptly(torch_required, mnist_dir):
    data = load_mnist(mnist_dir)
    cancel = threading.Event()
    phases: list[str] = []

    def listener(event):
        phases.append(event.phase)
        if event.phase == "import":
            cancel.set()

    result = versus(data, epochs=1, rounds=2, listener=listener, cancel=cancel)
    assert result.cancelled
    assert result.sides == {}
    assert "train" not in phases


@pytest.mark.slow
def test_both_reach_96_percent_after_3_epochs(torch_required, mnist_dir):
    result = versus(load_mnist(mnist_dir), epochs=3, rounds=1)
    assert result.same_init_max_abs_diff is not None and result.same_init_max_abs_diff < 1e-5
    for side in ("keras", "pytorch"):
        assert result.sides[side].median("test_accuracy") >= 0.96, side
        assert result.sides[side].runs[0].steps == 3 * 1875
