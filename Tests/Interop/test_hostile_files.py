"""Hostile local inputs: FIFOs in place of files, headers that claim enormous arrays, zips whose
headers lie. Every case must end with exit 1 and a clear message, in bounded time (the subprocess
timeout is the hang guard) and bounded memory (peak RSS measured in a small spawning process)."""
import json
import os
import zipfile

import numpy as np
import pytest

import measured_run

MAX_RSS_BYTES = 400 << 20

def run_measured(mifa_bin, *args, timeout=60):
    """Runs `mifa ARGS` in a fresh spawner; returns (exit code, output text, peak RSS bytes)."""
    return measured_run.run_measured([mifa_bin, *args], timeout)


def small_array(mifa, tmp_path):
    """A 16x16 uint16 Zarr v3 array written by mifa; returns its directory."""
    data = np.arange(256, dtype=np.uint16).reshape(16, 16)
    np.save(tmp_path / "in.npy", data)
    mifa("zarr", "import", tmp_path / "in.npy", tmp_path / "a.zarr", "--zarr-format", "3", "--chunks", "8,8",
         "--codec", "none")
    return tmp_path / "a.zarr"


@pytest.mark.parametrize("victim", ["zarr.json", "c/0/0"])
def test_a_fifo_in_place_of_a_zarr_file_is_refused(mifa, mifa_bin, tmp_path, victim):
    array = small_array(mifa, tmp_path)
    path = array / victim
    path.unlink()
    os.mkfifo(path)
    code, output, _ = run_measured(mifa_bin, "zarr", "export", array, tmp_path / "out.npy")
    assert code == 1, output
    assert "FIFO" in output and str(path) in output, output


def test_a_fifo_in_place_of_a_raster_is_refused(mifa_bin, tmp_path):
    path = tmp_path / "image.tif"
    os.mkfifo(path)
    code, output, _ = run_measured(mifa_bin, "raster", "info", path)
    assert code == 1, output
    assert "FIFO" in output, output


def test_a_300_byte_header_cannot_allocate_20_gb(mifa_bin, tmp_path):
    array = tmp_path / "big.zarr"
    array.mkdir()
    (array / "zarr.json").write_text(json.dumps({
        "zarr_format": 3, "node_type": "array", "shape": [100000, 100000], "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1000, 1000]}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}))
    assert (array / "zarr.json").stat().st_size < 400
    code, output, peak = run_measured(mifa_bin, "zarr", "export", array, tmp_path / "out.npy")
    assert code == 1, output
    assert "zarr.json" in output and "100000, 100000" in output, output
    assert "--max-memory" in output and "--region" in output, output
    assert peak < MAX_RSS_BYTES, f"peak RSS {peak} bytes"
    assert not (tmp_path / "out.npy").exists()
    # A region is read; a raised limit is honoured (and still refused above it).
    code, output, _ = run_measured(mifa_bin, "zarr", "export", array, tmp_path / "part.npy", "--region", "0:10,0:10")
    assert code == 0, output
    assert np.load(tmp_path / "part.npy").shape == (10, 10)
    code, output, _ = run_measured(mifa_bin, "zarr", "export", array, tmp_path / "out.npy", "--max-memory", "16G")
    assert code == 1 and "17179869184" in output, output
