"""Downloading from the mirror chain, served by the test on 127.0.0.1 with small synthetic files.

The checksum table is injected, so the synthetic files stand in for the real four.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from trainer import DataError, load_mnist
from trainer.mirrors import download

N_TRAIN, N_TEST = 30, 10


def idx_gz(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    rng = np.random.default_rng(1)
    return {
        "train-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 256, (N_TRAIN, 28, 28))),
        "train-labels-idx1-ubyte.gz": idx_gz(np.arange(N_TRAIN) % 10),
        "t10k-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 256, (N_TEST, 28, 28))),
        "t10k-labels-idx1-ubyte.gz": idx_gz(np.arange(N_TEST) % 10),
    }


@pytest.fixture(scope="module")
def checksums(files) -> dict[str, str]:
    return {name: hashlib.md5(body).hexdigest() for name, body in files.items()}


@pytest.fixture(scope="module")
def server(files):
    """Mirrors by path: /good/ serves the files, /missing/ 404s, /corrupt/ serves wrong bytes,
    /partial/ promises the whole file and closes after half of it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server hook's name)
            hits.append(self.path)
            mirror, _, name = self.path.strip("/").partition("/")
            body = files.get(name)
            if mirror == "missing" or body is None:
                self.send_error(404)
                return
            if mirror == "corrupt":
                body = body[:-4] + b"\x00\x00\x00\x00"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if mirror == "partial":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def part_files(folder: Path) -> list[Path]:
    return list(folder.glob(".*.part"))


def test_downloads_into_the_cache_then_uses_it(server, files, checksums, tmp_path):
    base, _ = server
    seen: list[tuple[str, int, int]] = []
    data = load_mnist(
        cache_dir=tmp_path,
        mirrors=[f"{base}/good/"],
        checksums=checksums,
        progress=lambda name, done, total: seen.append((name, done, total)),
    )
    assert data.source_kind == "mirror"
    assert data.train_images.shape == (N_TRAIN, 28, 28)
    assert data.test_labels.tolist() == list(range(10))
    last = {name: (done, total) for name, done, total in seen}
    assert last == {name: (len(body), len(body)) for name, body in files.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(checksums)

    again = load_mnist(cache_dir=tmp_path, mirrors=[], checksums=checksums)
    assert again.source_kind == "cache" and str(tmp_path) in again.source


def test_failing_mirrors_fall_through_to_the_next(server, checksums, tmp_path, closed_port):
    base, hits = server
    hits.clear()
    data = load_mnist(
        cache_dir=tmp_path,
        mirrors=[closed_port, f"{base}/missing/", f"{base}/corrupt/", f"{base}/good/"],
        checksums=checksums,
    )
    assert data.source_kind == "mirror"
    assert any(h.startswith("/missing/") for h in hits)
    assert any(h.startswith("/corrupt/") for h in hits)
    assert not part_files(tmp_path)


def test_corrupt_cached_file_is_removed_and_fetched_again(server, checksums, files, tmp_path):
    base, hits = server
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    broken = tmp_path / "train-images-idx3-ubyte.gz"
    broken.write_bytes(broken.read_bytes()[:100])
    hits.clear()
    data = load_mnist(cache_dir=tmp_path, mirrors=[f"{base}/good/"], checksums=checksums)
    assert hits == ["/good/train-images-idx3-ubyte.gz"]
    assert data.source_kind == "mirror"
    assert broken.read_bytes() == files["train-images-idx3-ubyte.gz"]


def test_partial_download_is_never_cached(server, checksums, tmp_path):
    base, _ = server
    name = "train-images-idx3-ubyte.gz"
    with pytest.raises(DataError, match=rf"{name}: could not download"):
        download(name, checksums[name], tmp_path, [f"{base}/partial/"])
    assert not (tmp_path / name).exists()
    assert not part_files(tmp_path)


def test_no_mirror_at_all_falls_back_to_the_offline_sample(checksums, tmp_path, closed_port):
    data = load_mnist(cache_dir=tmp_path, mirrors=[closed_port], checksums=checksums)
    assert data.source_kind == "sample"
    assert data.source == "offline sample (5,000 digits)"
    with pytest.raises(DataError, match="could not download"):
        load_mnist(
            cache_dir=tmp_path, mirrors=[closed_port], checksums=checksums, offline_sample=False
        )
