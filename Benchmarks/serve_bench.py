#!/usr/bin/env python3
"""`mifa serve` benchmark: what a tile costs, and tile latency under load (issue 18).

Data (generated here): a package with one 4096 x 4096 uint16 image (smooth gradient plus noise),
OME-Zarr 0.5 in 256 x 256 zstd:3 chunks with 5 levels, written by `mifa omezarr from-tiff`, with a
`nuclei` label image, and version 1 (written as Tests/Interop/package_helpers.py writes packages).

1. Tile cost (the goal: a tile costs at most 1.5x decoding the chunks it covers plus encoding its
   PNG): for 64 level-0 tiles (256 x 256, each exactly one chunk), the time of
   `GET /api/tiles/BIG/0/<r>/<c>.png` over one keep-alive connection against the baseline, in the
   same run: reading and decoding the same chunk with tensorstore (zarr3 driver, no cache) plus
   encoding the served tile's pixels (decoded from the response, in its colour type) as a PNG with
   Pillow at the same zlib level (1). First cold (first request of each tile; first read of each
   chunk through a new tensorstore handle), then warm (the same again; the server caches no
   pixels, only opened images, so "warm" means the OS page cache and an opened image). Printed:
   medians and the ratio tile / (decode + encode); also the server's own
   `/api/images/BIG/region?...&format=npy` of the same region (read + decode, no drawing).
2. Load: 10,000 tile requests (level 0..2 tiles, round robin) from 32 threads, each with its own
   keep-alive connection; every response must be 200 with a PNG; p50 / p99 / max latency and
   requests per second.

Usage: serve_bench.py --mifa .build-bench/release/mifa [--requests 10000] [--concurrency 32] [--keep DIR]
"""
from __future__ import annotations

import argparse
import http.client
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import io

import numpy as np
import tensorstore
import tifffile
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))
from package_helpers import ROOT_GROUP, canonical_json, metadata, write_version  # noqa: E402

SIZE = 4096


def make_package(mifa: str, root: Path, work: Path) -> Path:
    rng = np.random.default_rng(18)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    pixels = (1000 + 20 * ((yy + xx) % 128) + rng.normal(0, 50, (SIZE, SIZE))).clip(0, 65535).astype(np.uint16)
    labels = (((yy // 64) % 4 == 1) & ((xx // 64) % 4 == 1)).astype(np.uint16) * ((yy // 256) * 16 + xx // 256 + 1).astype(np.uint16)
    work.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(work / "big.tif", pixels)
    tifffile.imwrite(work / "nuclei.tif", labels)
    (root / "images").mkdir(parents=True)
    subprocess.run([mifa, "omezarr", "from-tiff", work / "big.tif", root / "images" / "BIG", "--chunks", "256,256", "--levels", "5",
                    "--codec", "zstd:3", "--label", f"nuclei={work / 'nuclei.tif'}"], check=True, capture_output=True)
    (root / "annotations").mkdir()
    document = metadata(images=("BIG",))
    (root / "mifa.json").write_bytes(canonical_json(document))
    (root / "zarr.json").write_text(ROOT_GROUP)
    write_version(root, "1", "2026-01-01T00:00:00Z")
    return root


def start(mifa: str, package: Path):
    process = subprocess.Popen([mifa, "serve", str(package), "--port", "0"], stdout=subprocess.PIPE, text=True)
    line, deadline = "", time.time() + 60
    while "mifa serve:" not in line and time.time() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        line = process.stdout.readline() if ready else ""
    url = line[line.index("http://"):].split()[0].rstrip("/")
    host, port = url[len("http://"):].split(":")
    return process, host, int(port)


def timed(connection, path):
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    assert response.status == 200, (path, response.status, body[:200])
    return elapsed, body


TILE_ZLIB_LEVEL = 1  # the level `mifa serve` encodes tiles at (Routes.swift)


def baseline_decode(level0: Path, r: int, c: int):
    """Seconds to read and decode the chunk under tile (r, c) with tensorstore (a new handle, no cache)."""
    start = time.perf_counter()
    array = tensorstore.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(level0)}}, read=True).result()
    pixels = array[r * 256:(r + 1) * 256, c * 256:(c + 1) * 256].read().result()
    elapsed = time.perf_counter() - start
    assert pixels.shape == (256, 256)
    return elapsed


def baseline_encode(png: bytes):
    """Seconds for Pillow to encode the pixels of a served tile, in its colour type, at the tiles' zlib level."""
    picture = Image.open(io.BytesIO(png))
    picture.load()
    start = time.perf_counter()
    picture.save(io.BytesIO(), "PNG", compress_level=TILE_ZLIB_LEVEL)
    return time.perf_counter() - start, picture.mode


def tile_cost(host, port, package: Path):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    level0 = package / "images" / "BIG" / "0"
    tiles = [(r, c) for r in range(0, 16, 2) for c in range(0, 16, 2)]
    results = {}
    for phase in ("cold", "warm"):
        times = {"tile": [], "decode": [], "encode": [], "region": []}
        modes = set()
        for r, c in tiles:
            t, body = timed(connection, f"/api/tiles/BIG/0/{r}/{c}.png")
            assert body[:8] == b"\x89PNG\r\n\x1a\n"
            times["tile"].append(t)
            times["decode"].append(baseline_decode(level0, r, c))
            encode, mode = baseline_encode(body)
            times["encode"].append(encode)
            modes.add(mode)
            region = f"{r * 256}:{r * 256 + 256},{c * 256}:{c * 256 + 256}"
            times["region"].append(timed(connection, f"/api/images/BIG/region?level=0&region={region}&format=npy")[0])
        results[phase] = {key: statistics.median(values) for key, values in times.items()} | {"modes": sorted(modes)}
    connection.close()
    return results


def load(host, port, requests, concurrency):
    paths = []
    for level, count in ((0, 16), (1, 8), (2, 4)):
        paths += [f"/api/tiles/BIG/{level}/{r}/{c}.png" for r in range(count) for c in range(count)]
    latencies, errors, lock = [], [], threading.Lock()
    next_index = iter(range(requests))

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            try:
                t, body = timed(connection, paths[index % len(paths)])
                if body[:4] != b"\x89PNG":
                    raise AssertionError("not a PNG")
                mine.append(t)
            except Exception as error:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.close()
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"requests": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else None,
            "wall_s": wall, "rps": len(latencies) / wall, "p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": latencies[-1] * 1000}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mifa", default=str(ROOT / ".build-bench/release/mifa"))
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    try:
        package = make_package(args.mifa, (args.keep or work) / "big.mifa", work / "sources")
        print(f"load average before: {os.getloadavg()}")
        process, host, port = start(args.mifa, package)
        try:
            cost = tile_cost(host, port, package)
            for phase, m in cost.items():
                baseline = m["decode"] + m["encode"]
                print(f"tile cost ({phase}): tile PNG over HTTP {m['tile'] * 1000:.2f} ms; baseline {baseline * 1000:.2f} ms = "
                      f"decode (tensorstore) {m['decode'] * 1000:.2f} + PNG encode (Pillow, zlib {TILE_ZLIB_LEVEL}, {'/'.join(m['modes'])}) "
                      f"{m['encode'] * 1000:.2f}; ratio {m['tile'] / baseline:.2f}; server region .npy {m['region'] * 1000:.2f} ms")
            result = load(host, port, args.requests, args.concurrency)
            print(f"load: {result['requests']} tiles, {result['errors']} errors, {result['rps']:.0f} req/s, "
                  f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.1f} ms")
            if result["errors"]:
                print(f"first error: {result['first_error']}")
                sys.exit(1)
        finally:
            process.terminate()
            process.wait(timeout=10)
        print(f"load average after: {os.getloadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
