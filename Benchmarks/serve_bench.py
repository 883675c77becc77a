#!/usr/bin/env python3
"""`mifa serve` benchmark: what a tile costs, and tile latency under load (issue 18).

Data (generated here): a package with one 4096 x 4096 uint16 image (smooth gradient plus noise),
OME-Zarr 0.5 in 256 x 256 zstd:3 chunks with 5 levels, written by `mifa omezarr from-tiff`, with a
`nuclei` label image, and version 1 (written as Tests/Interop/package_helpers.py writes packages).

1. Tile cost: for 64 level-0 tiles (256 x 256, each exactly one chunk), the time of
   `GET /api/tiles/BIG/0/<r>/<c>.png` (read + decode the chunk, window, draw, PNG encode) against
   `GET /api/images/BIG/region?level=0&region=<the same 256 x 256>&format=npy` (read + decode the
   same chunk, .npy encode), each over one keep-alive connection, first cold (first request of
   each tile: nothing rendered before) and then warm (the same requests again; the server caches
   no pixels, only opened images, so "warm" means the OS page cache and an opened image).
   The ratio tile / region is what drawing and PNG encoding add to decoding.
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

import numpy as np
import tifffile

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


def tile_cost(host, port):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    tiles = [(r, c) for r in range(0, 16, 2) for c in range(0, 16, 2)]
    results = {}
    for phase in ("cold", "warm"):
        tile_times, region_times = [], []
        for r, c in tiles:
            t, body = timed(connection, f"/api/tiles/BIG/0/{r}/{c}.png")
            assert body[:8] == b"\x89PNG\r\n\x1a\n"
            tile_times.append(t)
            region = f"{r * 256}:{r * 256 + 256},{c * 256}:{c * 256 + 256}"
            t, _ = timed(connection, f"/api/images/BIG/region?level=0&region={region}&format=npy")
            region_times.append(t)
        results[phase] = (statistics.median(tile_times), statistics.median(region_times))
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
            cost = tile_cost(host, port)
            for phase, (tile, region) in cost.items():
                print(f"tile cost ({phase}): tile PNG {tile * 1000:.2f} ms, region .npy {region * 1000:.2f} ms, ratio {tile / region:.2f}")
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
