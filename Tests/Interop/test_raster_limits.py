"""Rasters within their limits: a header's claim is checked against --max-memory before anything is
allocated, and a valid raster is read and written in about its decoded size.

The hostile files run under a bounded address space (RLIMIT_AS), so a reader that tries to allocate
what a header claims crashes the test instead of the machine; peak memory is measured (ru_maxrss of
the child, in a small spawning process), never timed."""
import json
import struct
import subprocess
import sys

import numpy as np
import pytest
import tifffile
import zarr

ADDRESS_SPACE = 1536 << 20   # the bounded runs: 1.5 GiB of address space for the whole process
PEAK_FACTOR = 1.5

SPAWN = """
import json, resource, subprocess, sys
limit = int(sys.argv[1])
def bound():
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
proc = subprocess.run(sys.argv[3:], capture_output=True, text=True, timeout=float(sys.argv[2]), preexec_fn=bound)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "peak": peak}))
"""


def run_mifa(mifa_bin, *args, address_space=0, timeout=300):
    """Runs `mifa ARGS` in a fresh spawner, optionally under RLIMIT_AS; returns (code, output, peak RSS)."""
    proc = subprocess.run([sys.executable, "-c", SPAWN, str(address_space), str(timeout), mifa_bin, *map(str, args)],
                          capture_output=True, text=True, timeout=timeout + 30)
    result = json.loads(proc.stdout)
    return result["code"], result["stdout"] + result["stderr"], result["peak"]


def zstd_zeros(size):
    """A Zstandard frame of `size` zero bytes (a multiple of 128 KiB) made of RLE blocks: 4 bytes per 128 KiB."""
    block = 128 << 10
    assert size % block == 0
    blocks = size // block
    frame = bytearray(b"\x28\xb5\x2f\xfd")      # magic
    frame += bytes([0x00, (17 - 10) << 3])      # no content size, no checksum; window 2^17
    for index in range(blocks):
        last = 1 if index == blocks - 1 else 0
        frame += (last | (1 << 1) | (block << 3)).to_bytes(3, "little") + b"\x00"   # RLE block of zeros
    return bytes(frame)


def zstd_bomb_tiff(path, width, height):
    """A classic TIFF of one uint8 page of width x height whose one strip is a Zstandard frame of zeros."""
    data = zstd_zeros(width * height)
    entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 50000), (262, 3, 1),
               (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, len(data))]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, kind, value in entries:
        value = data_offset if tag == 273 else value
        packed = struct.pack("<HI", value, 0)[:4] if kind == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, 1) + packed
    out += struct.pack("<I", 0) + data
    path.write_bytes(bytes(out))
    return path


def test_the_crafted_zstd_tiff_is_a_real_tiff(tmp_path):
    # The same construction at a size tifffile can afford: it decodes to zeros of the claimed shape.
    small = zstd_bomb_tiff(tmp_path / "small.tif", 512, 256)
    data = tifffile.imread(small)
    assert data.shape == (256, 512) and data.dtype == np.uint8 and not data.any()


@pytest.fixture()
def bomb(tmp_path):
    path = zstd_bomb_tiff(tmp_path / "bomb.tif", 65536, 65536)
    assert path.stat().st_size < 140_000   # 128 KiB of RLE blocks that claim 4 GiB
    return path


@pytest.mark.parametrize("command", ["convert", "from-tiff"])
def test_a_128_kb_tiff_claiming_4_gib_is_refused_before_allocating(mifa_bin, tmp_path, bomb, command):
    if command == "convert":
        args = ["raster", "convert", bomb, tmp_path / "out.npy"]
    else:
        args = ["omezarr", "from-tiff", bomb, tmp_path / "out.zarr"]
    code, output, _ = run_mifa(mifa_bin, *args, address_space=ADDRESS_SPACE)
    assert code == 1, f"exit {code} (a negative code is a crash: the reader allocated what the header claims)\n{output}"
    assert str(bomb) in output, output
    assert "[65536, 65536]" in output and "4294967296 bytes" in output, output
    assert "--max-memory" in output, output
    assert not (tmp_path / "out.npy").exists() and not (tmp_path / "out.zarr" / "zarr.json").exists()


def test_raster_info_reports_the_claim_and_the_limit(mifa_bin, bomb):
    code, output, _ = run_mifa(mifa_bin, "raster", "info", bomb, "--json", address_space=ADDRESS_SPACE)
    assert code == 0, output
    report = json.loads(output[:output.rindex("}") + 1])
    assert report["shape"] == [65536, 65536] and report["max_memory"] == 2 << 30
    assert "4294967296 bytes" in report["limit_problem"] and "--max-memory" in report["limit_problem"]
    code, output, _ = run_mifa(mifa_bin, "raster", "info", bomb, "--json", "--max-memory", "5G")
    assert code == 0 and '"bytes" : 4294967296' in output and "limit_problem" not in output, output


def test_max_memory_is_honoured_both_ways(mifa_bin, tmp_path):
    data = np.arange(64 * 100 * 120, dtype=np.uint16).reshape(64, 100, 120)   # 1.5 MiB decoded
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, data, compression="zlib")
    for args in (["raster", "convert", path, tmp_path / "out.npy"], ["omezarr", "from-tiff", path, tmp_path / "o.zarr"]):
        code, output, _ = run_mifa(mifa_bin, *args, "--max-memory", "1M" if args[1] == "convert" else "16K")
        assert code == 1 and "more than the limit of" in output and "--max-memory" in output, output
        code, output, _ = run_mifa(mifa_bin, *args, "--max-memory", "2M")
        assert code == 0, output
    assert np.array_equal(np.load(tmp_path / "out.npy"), data)
    assert np.array_equal(zarr.open_group(tmp_path / "o.zarr", mode="r")["0"][:], data)


# Peak memory of valid rasters ----------------------------------------------------------------

DECODED = 256 << 20


@pytest.fixture(scope="module")
def large_stack(tmp_path_factory):
    """A 32 x 2048 x 2048 uint16 stack (256 MiB decoded), plain and as an ImageJ contiguous stack."""
    folder = tmp_path_factory.mktemp("large")
    data = np.empty((32, 2048, 2048), dtype=np.uint16)
    row = np.arange(2048, dtype=np.uint16)
    for z in range(32):
        data[z] = row[None, :] + row[:, None] * 3 + z
    assert data.nbytes == DECODED
    tifffile.imwrite(folder / "stack.tif", data)
    tifffile.imwrite(folder / "imagej.tif", data, imagej=True)
    np.save(folder / "stack.npy", data)
    return folder, data


@pytest.mark.parametrize("source,target", [("stack.tif", "out.npy"), ("stack.tif", "out.tif"), ("imagej.tif", "out.npy"),
                                           ("stack.npy", "out.tif")])
def test_a_large_stack_converts_within_one_and_a_half_times_its_size(mifa_bin, tmp_path, large_stack, source, target):
    folder, data = large_stack
    code, output, peak = run_mifa(mifa_bin, "raster", "convert", folder / source, tmp_path / target)
    assert code == 0, output
    print(f"{source} -> {target}: peak RSS {peak / 2**20:.0f} MiB for {DECODED / 2**20:.0f} MiB decoded ({peak / DECODED:.2f}x)")
    assert peak < PEAK_FACTOR * DECODED, f"peak RSS {peak / 2**20:.0f} MiB is {peak / DECODED:.2f}x the decoded size"
    result = np.load(tmp_path / target) if target.endswith(".npy") else tifffile.imread(tmp_path / target)
    assert np.array_equal(result, data)
