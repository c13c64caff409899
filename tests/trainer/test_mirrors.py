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
    # why, for the app's banner and the CLI's advice: no folder, and what the download said
    assert data.fallback is not None
    assert data.fallback.startswith("no MNIST folder is set and the download failed: ")
    assert "could not download" in data.fallback and closed_port in data.fallback
    with pytest.raises(DataError, match="could not download"):
        load_mnist(
            cache_dir=tmp_path, mirrors=[closed_port], checksums=checksums, offline_sample=False
        )


# --- issue #15: mirrors that drip, stream forever or stall; unreadable folders and files ---


@pytest.fixture(scope="module")
def bad_server():
    """/drip/ promises a file and sends a byte every 0.3 s; /endless/ streams with no end;
    /huge/ offers 10 GB; /stall/ sends its headers and then nothing."""
    import time

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server hook's name)
            kind = self.path.strip("/").partition("/")[0]
            self.send_response(200)
            if kind in ("drip", "stall"):
                self.send_header("Content-Length", "4000")
            elif kind == "huge":
                self.send_header("Content-Length", str(10 << 30))
            self.end_headers()
            try:
                if kind == "drip":
                    for _ in range(4000):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.3)
                elif kind in ("endless", "huge"):
                    chunk = b"y" * 65536
                    for _ in range(1 << 16):  # 4 GB at most, ended by the client long before
                        self.wfile.write(chunk)
                elif kind == "stall":
                    time.sleep(10)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("mirror", "reason"),
    [
        ("drip", "too slow"),
        ("endless", "more than the file's 4,542 bytes"),
        ("huge", "offers 10,737,418,240 bytes"),
        ("stall", "timed out"),
    ],
)
def test_mirrors_that_never_finish_are_given_up(bad_server, tmp_path, mirror, reason):
    import time

    from trainer.mirrors import Limits

    name = "t10k-labels-idx1-ubyte.gz"  # known size 4,542 bytes
    seen: list[int] = []
    start = time.monotonic()
    with pytest.raises(DataError, match=reason):
        download(
            name,
            "0" * 32,
            tmp_path,
            [f"{bad_server}/{mirror}/"],
            lambda _n, done, _t: seen.append(done),
            Limits(timeout=1.0, min_rate=1000, grace_s=1.5),
        )
    assert time.monotonic() - start < 10
    assert not part_files(tmp_path) and not (tmp_path / name).exists()
    if mirror == "drip":
        assert seen  # progress was reported while it dripped


def test_stale_part_files_are_removed(server, checksums, tmp_path):
    import os
    import time

    base, _ = server
    stale = tmp_path / ".train-labels-idx1-ubyte.gz.abc123.part"
    fresh = tmp_path / ".train-labels-idx1-ubyte.gz.def456.part"  # a download under way
    for p in (stale, fresh):
        p.write_bytes(b"half")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    name = "train-labels-idx1-ubyte.gz"
    download(name, checksums[name], tmp_path, [f"{base}/good/"])
    assert not stale.exists() and fresh.exists()


@pytest.fixture
def shared_dir(files):
    """A folder an unprivileged child can reach, holding the four synthetic files."""
    import shutil
    import tempfile

    import mnist  # noqa: F401 - imported before the child drops its privileges

    folder = Path(tempfile.mkdtemp(prefix="kviz-mnist-"))
    folder.chmod(0o755)
    data = folder / "mnist"
    data.mkdir()
    for name, body in files.items():
        (data / name).write_bytes(body)
        (data / name).chmod(0o644)
    data.chmod(0o755)
    yield data
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(folder)


def _load(**kwargs) -> str:
    try:
        return load_mnist(offline_sample=False, mirrors=[], **kwargs).source_kind
    except DataError as e:
        return f"DataError: {e}"


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("folder", "cannot read its folder"),
        ("file", "cannot read (Permission denied)"),
        ("cache-folder", "cannot create the download cache (Permission denied)"),
        ("cached-file", "cannot replace this cached file (Permission denied)"),
    ],
)
def test_unreadable_data_is_one_data_error(shared_dir, checksums, what, message, as_nobody):
    target = shared_dir / "t10k-images-idx3-ubyte.gz"
    if what == "folder":
        shared_dir.chmod(0o000)
        kwargs = {"mnist_dir": shared_dir}
    elif what == "file":
        target.chmod(0o000)
        kwargs = {"mnist_dir": shared_dir}
    elif what == "cache-folder":
        shared_dir.chmod(0o555)
        kwargs = {"cache_dir": shared_dir / "cache"}
    else:
        target.chmod(0o000)
        shared_dir.chmod(0o555)
        kwargs = {"cache_dir": shared_dir}
    result = as_nobody(lambda: _load(checksums=checksums, **kwargs))
    assert result.startswith("DataError:") and message in result, result
