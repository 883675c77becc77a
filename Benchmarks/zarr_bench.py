#!/usr/bin/env python3
"""Zarr read/write benchmark: MIFAKit against tensorstore and zarr-python, same data, same machine, same run.

Data: a 4096x4096 uint16 microscopy-like image (background gradient, ~1500 Gaussian "cells", Poisson
and Gaussian noise; not a smooth ramp) in 256x256 chunks, Zarr v3, compressed with zstd level 3 and
with blosc-lz4-shuffle, plus sharded variants (1024x1024 shards of 256x256 inner chunks). Written once
with zarr-python, read by all three tools.

Operations: full read into memory; 1000 random (unaligned) 256x256 region reads, one after the other;
full write of the array to a new store with the same codecs. Every tool runs in-process (no start-up
in the numbers) with caching disabled; full reads and writes run 3 times per round (the first run of
a process pays for fresh memory), rounds are interleaved, and the best time per cell is kept.
MB/s counts decoded bytes. The limit lines are the machine's single-core `zstd -b3` and `lz4 -b1`
decode speeds and `zstd -b3` compression of the image's chunks (one block per chunk: the bytes and
parameters of every zstd chunk written), times the cores used; they are wall-clock figures of the
command-line tools, so on a busy machine they are low (`zstd_ceiling.py` measures per CPU second).
After each write, tensorstore reads MIFAKit's output back (it must equal the image) and the chunk
or shard files equal byte for byte to tensorstore's are counted.

Usage: zarr_bench.py [--rounds 5] [--bench-bin .build-bench/release/ZarrBench] [--markdown]
                     [--operations "full write"] [--datasets "zstd3,zstd3 sharded"]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import tensorstore as ts
import zarr
from zarr.codecs import BloscCodec, BytesCodec, ShardingCodec, ZstdCodec

import child_process  # the benchmarks' shared helpers, beside this file

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
N = 4096
CHUNK = 256
SHARD = 1024
REGIONS = 1000
CORES = os.cpu_count() or 1
REPEAT = 3  # full reads and writes: best of this many runs per round, for every tool
OPERATIONS = ("full read", "1000 regions", "full write")

DATASETS = {
    "zstd3": ("zstd:3", None),
    "blosc-lz4-shuffle": ("blosc:lz4:5:shuffle", None),
    "zstd3 sharded": ("zstd:3", SHARD),
    "blosc-lz4 sharded": ("blosc:lz4:5:shuffle", SHARD),
}


def make_image(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:N, 0:N].astype(np.float32)
    image = 300 + 0.02 * x + 0.01 * y
    for _ in range(1500):
        cy, cx = rng.uniform(0, N, 2)
        r, a = rng.uniform(6, 20), rng.uniform(500, 3000)
        y0, y1 = int(max(cy - 3 * r, 0)), int(min(cy + 3 * r, N))
        x0, x1 = int(max(cx - 3 * r, 0)), int(min(cx + 3 * r, N))
        image[y0:y1, x0:x1] += a * np.exp(-((y[y0:y1, x0:x1] - cy) ** 2 + (x[y0:y1, x0:x1] - cx) ** 2) / (2 * r * r))
    image = rng.poisson(image).astype(np.float32) + rng.normal(0, 20, image.shape).astype(np.float32)
    return np.clip(image, 0, 65535).astype("<u2")


def zarr_python_codecs(codec: str):
    if codec.startswith("zstd"):
        return [ZstdCodec(level=int(codec.split(":")[1]))]
    _, cname, level, shuffle = codec.split(":")
    return [BloscCodec(cname=cname, clevel=int(level), shuffle=shuffle, typesize=2)]


def tensorstore_codecs(codec: str) -> list[dict]:
    if codec.startswith("zstd"):
        return [{"name": "zstd", "configuration": {"level": int(codec.split(":")[1])}}]
    _, cname, level, shuffle = codec.split(":")
    return [{"name": "blosc", "configuration": {"cname": cname, "clevel": int(level), "shuffle": shuffle, "typesize": 2}}]


def zarr_python_write(path: Path, data: np.ndarray, codec: str, shard: int | None) -> None:
    if shard:
        array = zarr.create_array(store=str(path), shape=data.shape, chunks=(shard, shard), dtype="uint16", zarr_format=3,
                                  serializer=ShardingCodec(chunk_shape=(CHUNK, CHUNK), codecs=[BytesCodec()] + zarr_python_codecs(codec)),
                                  compressors=None, overwrite=True)
    else:
        array = zarr.create_array(store=str(path), shape=data.shape, chunks=(CHUNK, CHUNK), dtype="uint16", zarr_format=3,
                                  compressors=zarr_python_codecs(codec), overwrite=True)
    array[...] = data


TS_CONTEXT = {"cache_pool": {"total_bytes_limit": 0}}


def tensorstore_write(path: Path, data: np.ndarray, codec: str, shard: int | None) -> None:
    chain = [{"name": "bytes", "configuration": {"endian": "little"}}] + tensorstore_codecs(codec)
    grid = CHUNK
    if shard:
        chain = [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": [CHUNK, CHUNK], "codecs": chain,
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]}}]
        grid = shard
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)}, "context": TS_CONTEXT, "metadata": {
        "shape": list(data.shape), "data_type": "uint16", "codecs": chain, "fill_value": 0,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [grid, grid]}}}}
    ts.open(spec, create=True, delete_existing=True).result().write(data).result()


def cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


LAST_CPU = [0.0]


def timed(body) -> float:
    """Wall-clock seconds of `body`; its CPU seconds (all threads) go to LAST_CPU."""
    cpu = cpu_now()
    start = time.perf_counter()
    body()
    wall = time.perf_counter() - start
    LAST_CPU[0] = cpu_now() - cpu
    return wall


def run_mifa(binary: Path, *args, repeat: int = 1) -> dict:
    proc = subprocess.run([str(binary), *map(str, args), "--repeat", str(repeat)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def best_of(count: int, body) -> tuple[float, float]:
    """The fastest wall time and the smallest CPU time of `count` runs (the first run of a process
    pays for fresh memory)."""
    walls, cpus = [], []
    for _ in range(count):
        walls.append(timed(body))
        cpus.append(LAST_CPU[0])
    return min(walls), min(cpus)


def reference_speeds(raw: Path, chunked: Path) -> dict[str, float]:
    """Single-core MB/s of the zstd and lz4 command-line tools: decoding the raw image, and zstd
    level 3 compressing `chunked` (the image's 256x256 chunks one after the other) in blocks of one
    chunk, which are the bytes and parameters of every zstd chunk written."""
    speeds = {}
    runs = (("zstd decode", ["zstd", "-b3", "-i3"], raw, -1), ("lz4 decode", ["lz4", "-b1", "-i3"], raw, -1),
            ("zstd level 3 compress of one-chunk blocks", ["zstd", "-b3", "-i3", f"-B{CHUNK * CHUNK * 2}"], chunked, 0))
    for name, command, path, which in runs:
        if not shutil.which(command[0]):
            continue
        proc = subprocess.run([*command, str(path)], capture_output=True, text=True)
        text = (proc.stdout + proc.stderr).replace("\r", "\n")
        lines = [line for line in text.splitlines() if len(re.findall(r"MB/s", line)) >= 2]
        if lines:
            speeds[name] = float(re.findall(r"([0-9.]+) MB/s", lines[-1])[which])
    return speeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bench-bin", type=Path, default=ROOT / ".build-bench" / "release" / "ZarrBench")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--skip-zarr-python-regions", action="store_true", help="time 200 region reads for zarr-python and scale")
    parser.add_argument("--operations", default=",".join(OPERATIONS),
                        help=f"comma-separated subset of: {', '.join(OPERATIONS)} (default: all)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated subset of: {', '.join(DATASETS)} (default: all)")
    options = parser.parse_args()
    operations = [name.strip() for name in options.operations.split(",")]
    datasets = {name.strip(): DATASETS.get(name.strip()) for name in options.datasets.split(",")}
    unknown = [name for name in operations if name not in OPERATIONS] + [name for name, value in datasets.items() if value is None]
    if unknown:
        parser.error(f"unknown operation or dataset: {', '.join(unknown)}")

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="zarr-bench-") as tmp:
        tmp = Path(tmp)
        data = make_image()
        raw = tmp / "image.raw"
        data.tofile(raw)
        checksum = int(data.astype(np.uint64).sum())
        rng = np.random.default_rng(7)
        offsets = rng.integers(0, N - CHUNK, size=(REGIONS, 2))
        (tmp / "offsets.txt").write_text("\n".join(f"{a},{b}" for a, b in offsets))
        region_checksum = sum(int(data[a, b]) + int(data[a + CHUNK - 1, b + CHUNK - 1]) for a, b in offsets)
        nbytes = data.nbytes

        for name, (codec, shard) in datasets.items():
            zarr_python_write(tmp / f"{name}.zarr", data, codec, shard)

        best: dict[tuple[str, str, str], float] = {}
        identical: dict[str, str] = {}
        best_cpu: dict[tuple[str, str, str], float] = {}

        def keep(dataset: str, operation: str, tool: str, seconds, cpu: float | None = None) -> None:
            if isinstance(seconds, tuple):
                seconds, cpu = seconds
            key = (dataset, operation, tool)
            best[key] = min(best.get(key, float("inf")), seconds)
            best_cpu[key] = min(best_cpu.get(key, float("inf")), cpu if cpu is not None else LAST_CPU[0])

        for _ in range(options.rounds):
            for name, (codec, shard) in datasets.items():
                path = tmp / f"{name}.zarr"
                extra = ["--shards", f"{shard},{shard}"] if shard else []
                store = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)}, "context": TS_CONTEXT},
                                open=True).result()
                array = zarr.open_array(str(path), mode="r")
                out = {}
                if "full read" in operations:
                    result = run_mifa(options.bench_bin, "read", path, repeat=REPEAT)
                    assert result["checksum"] == checksum, f"MIFAKit read of {name} is wrong"
                    keep(name, "full read", "MIFAKit", min(result["seconds"]), min(result["cpu_seconds"]))
                    keep(name, "full read", "tensorstore", best_of(REPEAT, lambda: out.__setitem__("a", store.read().result())))
                    assert int(out["a"].astype(np.uint64).sum()) == checksum
                    keep(name, "full read", "zarr-python", best_of(REPEAT, lambda: array[...]))
                if "1000 regions" in operations:
                    result = run_mifa(options.bench_bin, "regions", path, tmp / "offsets.txt", "--size", CHUNK)
                    assert result["checksum"] == region_checksum, f"MIFAKit region reads of {name} are wrong"
                    keep(name, "1000 regions", "MIFAKit", result["seconds"][0], result["cpu_seconds"][0])
                    keep(name, "1000 regions", "tensorstore",
                         timed(lambda: [store[a:a + CHUNK, b:b + CHUNK].read().result() for a, b in offsets]))
                    count = 200 if options.skip_zarr_python_regions else REGIONS
                    wall = timed(lambda: [array[a:a + CHUNK, b:b + CHUNK] for a, b in offsets[:count]]) * REGIONS / count
                    keep(name, "1000 regions", "zarr-python", wall, LAST_CPU[0] * REGIONS / count)
                if "full write" in operations:
                    result = run_mifa(options.bench_bin, "write", raw, tmp / "out-mifa.zarr", "--shape", f"{N},{N}",
                                      "--chunks", f"{CHUNK},{CHUNK}", "--codec", codec, *extra, repeat=REPEAT)
                    keep(name, "full write", "MIFAKit", min(result["seconds"]), min(result["cpu_seconds"]))
                    keep(name, "full write", "tensorstore", best_of(REPEAT, lambda: tensorstore_write(tmp / "out-ts.zarr", data, codec, shard)))
                    keep(name, "full write", "zarr-python", best_of(REPEAT, lambda: zarr_python_write(tmp / "out-zp.zarr", data, codec, shard)))
                    # What MIFAKit wrote reads back exactly in tensorstore; count its files equal byte for byte to tensorstore's.
                    written = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp / "out-mifa.zarr")},
                                       "context": TS_CONTEXT}, open=True).result().read().result()
                    assert np.array_equal(written, data), f"tensorstore reads MIFAKit's {name} write back wrong"
                    ours = sorted(p.relative_to(tmp / "out-mifa.zarr") for p in (tmp / "out-mifa.zarr" / "c").rglob("*") if p.is_file())
                    same = sum((tmp / "out-mifa.zarr" / p).read_bytes() == (tmp / "out-ts.zarr" / p).read_bytes()
                               for p in ours if (tmp / "out-ts.zarr" / p).is_file())
                    identical[name] = f"{same}/{len(ours)}"

        chunked = tmp / "chunks.raw"
        chunked.write_bytes(b"".join(np.ascontiguousarray(data[y:y + CHUNK, x:x + CHUNK]).tobytes()
                                     for y in range(0, N, CHUNK) for x in range(0, N, CHUNK)))
        limits = reference_speeds(raw, chunked)
        rows = []
        for name in datasets:
            for operation in operations:
                volume = nbytes if operation != "1000 regions" else REGIONS * CHUNK * CHUNK * 2
                speeds = {tool: volume / best[(name, operation, tool)] / 1e6 for tool in ("MIFAKit", "tensorstore", "zarr-python")}
                per_cpu = {tool: volume / best_cpu[(name, operation, tool)] / 1e6 for tool in ("MIFAKit", "tensorstore", "zarr-python")}
                rows.append((name, operation, speeds, per_cpu))

    header = ["dataset", "operation", "MIFAKit MB/s", "tensorstore MB/s", "zarr-python MB/s", "vs tensorstore", "vs zarr-python",
              "MB per CPU-s (MIFAKit / ts / zp)"]
    lines = []
    for name, operation, speeds, per_cpu in rows:
        lines.append([name, operation, f"{speeds['MIFAKit']:.0f}", f"{speeds['tensorstore']:.0f}", f"{speeds['zarr-python']:.0f}",
                      f"{speeds['MIFAKit'] / speeds['tensorstore']:.2f}x", f"{speeds['MIFAKit'] / speeds['zarr-python']:.2f}x",
                      f"{per_cpu['MIFAKit']:.0f} / {per_cpu['tensorstore']:.0f} / {per_cpu['zarr-python']:.0f}"])
    child_process.print_table(header, lines, options.markdown)
    print()
    print(f"cores used: {CORES}; rounds: {options.rounds} (best round per cell); image {N}x{N} uint16, "
          f"{CHUNK}x{CHUNK} chunks, shards {SHARD}x{SHARD}")
    print(f"load average (1 min) {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {CORES} cores")
    for what, speed in limits.items():
        print(f"limit: {what} single-core {speed:.0f} MB/s x {CORES} cores = {speed * CORES:.0f} MB/s")
    for name, count in identical.items():
        print(f"{name}: MIFAKit's chunk files equal to tensorstore's byte for byte: {count}")


if __name__ == "__main__":
    main()
