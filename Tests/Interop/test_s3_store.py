"""S3 interop against a real S3-compatible server (moto in server mode, on loopback): what zarr-python
(through fsspec/s3fs) and ome-zarr-py write to a bucket, `mifa` reads identically to the same data on
disk; what `mifa zarr import` writes to s3:// zarr-python reads back identically; a URL scheme that is
not supported is refused, never taken for a file name."""
from __future__ import annotations

import json
import subprocess
import uuid

import numpy as np
import pytest
import zarr

import zarr_matrix as m
from omezarr_helpers import write_with_ome_zarr_py
from s3_server import TEST_BUCKET, MotoServer

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# One case of each layout: v2, v3, v3 sharded with a crc32c index, Fortran order, missing chunks.
CASES = [m.Case(2, "uint16", "blosc:lz4:5:shuffle"), m.Case(2, "float32", "zstd:3", order="F"),
         m.Case(3, "int16", "zstd:3"), m.Case(3, "uint8", "gzip:5", shards="crc"),
         m.Case(3, "float64", "blosc:zstd:5:bitshuffle", missing=True)]


@pytest.fixture(scope="module")
def s3(monkeypatch_module):
    """The server, with the environment set for mifa and s3fs (credentials, endpoint, region)."""
    with MotoServer() as server:
        for name, value in server.env().items():
            monkeypatch_module.setenv(name, value)
        yield server


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def prefix(s3):
    """A fresh s3:// prefix in the test bucket."""
    return f"s3://{TEST_BUCKET}/{uuid.uuid4().hex}"


def run(mifa_bin, *args, check=True):
    proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def without_places(value):
    """A JSON document with the fields that name where the data is (paths, URLs) dropped."""
    if isinstance(value, dict):
        return {k: without_places(v) for k, v in value.items() if k not in ("path", "location", "store", "file")}
    if isinstance(value, list):
        return [without_places(v) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_mifa_reads_what_zarr_python_writes_to_s3(s3, prefix, case, mifa_bin, tmp_path):
    data = m.make_data(case.dtype, seed=len(case.id))
    url = f"{prefix}/array.zarr"
    m.write_zarr_python(url, case, data)
    local = tmp_path / "array.zarr"
    m.write_zarr_python(local, case, data)
    wanted = m.expected(case, data.astype(np.dtype(case.dtype)))
    out = tmp_path / "out.npy"
    run(mifa_bin, "zarr", "export", url, out)
    m.assert_same(np.load(out), wanted, f"s3 {case.id}")
    run(mifa_bin, "zarr", "export", url, out, "--region", "3:31,5:22")
    m.assert_same(np.load(out), wanted[3:31, 5:22], f"s3 {case.id} region")
    remote_info = json.loads(run(mifa_bin, "zarr", "info", url, "--json").stdout)
    local_info = json.loads(run(mifa_bin, "zarr", "info", local, "--json").stdout)
    assert without_places(remote_info) == without_places(local_info)


@pytest.mark.parametrize("fmt,shards", [(2, False), (3, False), (3, True)], ids=["v2", "v3", "v3-sharded"])
def test_zarr_python_reads_what_mifa_imports_to_s3(s3, prefix, fmt, shards, mifa_bin, tmp_path):
    data = m.make_data("int32", seed=fmt)
    source = tmp_path / "in.npy"
    np.save(source, data)
    url = f"{prefix}/imported.zarr"
    args = ["--zarr-format", fmt, "--chunks", "10,8", "--codec", "zstd:3"] + (["--shards", "20,16"] if shards else [])
    run(mifa_bin, "zarr", "import", source, url, *args)
    read = zarr.open_array(url, mode="r")[...]
    np.testing.assert_array_equal(read, data)
    # And the same array read back by mifa from S3.
    out = tmp_path / "out.npy"
    run(mifa_bin, "zarr", "export", url, out)
    np.testing.assert_array_equal(np.load(out), data)


@pytest.mark.parametrize("version", ["0.4", "0.5"])
def test_mifa_reads_ome_zarr_images_in_a_bucket_as_on_disk(s3, prefix, version, mifa_bin, tmp_path):
    import fsspec

    rng = np.random.default_rng(3)
    image = rng.integers(0, 60000, size=(2, 40, 50), dtype=np.uint16)
    labels = np.zeros((40, 50), dtype=np.uint32)
    labels[5:20, 10:30] = 3
    local = tmp_path / "image.zarr"
    write_with_ome_zarr_py(local, version, image, labels, "cyx", {"c": 1.0, "y": 0.5, "x": 0.5},
                           {"y": "micrometer", "x": "micrometer"})
    url = f"{prefix}/image.zarr"
    fs = fsspec.filesystem("s3")
    fs.put(str(local), url.removeprefix("s3://"), recursive=True)
    remote_info = json.loads(run(mifa_bin, "omezarr", "info", url, "--json").stdout)
    local_info = json.loads(run(mifa_bin, "omezarr", "info", local, "--json").stdout)
    assert remote_info["valid"], remote_info
    assert without_places(remote_info) == without_places(local_info)
    for level in ("0", "1"):
        remote_out, local_out = tmp_path / f"r{level}.npy", tmp_path / f"l{level}.npy"
        run(mifa_bin, "omezarr", "export", url, remote_out, "--level", level)
        run(mifa_bin, "omezarr", "export", local, local_out, "--level", level)
        np.testing.assert_array_equal(np.load(remote_out), np.load(local_out))
    np.testing.assert_array_equal(np.load(tmp_path / "r0.npy"), image)
    # The loader reads the image in the bucket as on disk (read-ahead on for a URL): the same batches.
    args = ["--patch", "16,16", "--batch", "4", "--samples", "12", "--seed", "5", "--label", "cells", "--json"]
    remote = json.loads(run(mifa_bin, "bench", url, *args).stdout)
    on_disk = json.loads(run(mifa_bin, "bench", local, *args).stdout)
    assert remote["digest"] == on_disk["digest"] and remote["read_ahead"] > 0 == on_disk["read_ahead"]


def test_a_missing_bucket_and_unsupported_schemes_are_refused(s3, mifa_bin, tmp_path):
    proc = run(mifa_bin, "zarr", "info", "s3://no-such-bucket-here/x", check=False)
    assert proc.returncode == 1 and "NoSuchBucket" in proc.stderr, proc.stderr
    for url in ("gs://bucket/x", "ftp://host/x.zarr"):
        proc = run(mifa_bin, "zarr", "info", url, check=False)
        assert proc.returncode == 1 and "not supported" in proc.stderr, proc.stderr
        assert "Fatal error" not in proc.stderr
    source = tmp_path / "in.npy"
    np.save(source, np.zeros((4, 4), dtype=np.uint8))
    proc = run(mifa_bin, "zarr", "import", source, "http://127.0.0.1:9/x.zarr", "--zarr-format", "3", "--chunks", "2,2", check=False)
    assert proc.returncode == 1 and "cannot be written" in proc.stderr, proc.stderr
    assert not list(tmp_path.glob("http*")), "an URL was taken for a folder name"


@pytest.mark.parametrize("args", [
    ["pack", "src", "http://127.0.0.1:9/pkg", "--metadata", "mifa.yaml"],
    ["checkout", "pkg", "1", "s3://mifa-test/out"],
    ["export", "pkg", "--to", "zip", "https://example.org/pkg.zip"],
    ["version", "gs://bucket/pkg", "--version", "2", "--changes", "x"],
], ids=lambda args: args[0])
def test_package_commands_refuse_urls_instead_of_making_folders(mifa_bin, tmp_path, args):
    proc = subprocess.run([mifa_bin, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "is a URL" in proc.stderr or "not supported" in proc.stderr, proc.stderr
    assert not any(tmp_path.iterdir()), "a URL was taken for a folder name"
