#!/usr/bin/env python3
"""Package audit benchmark: `mifa audit` (release build) against `sha256sum` over the same files,
same machine, same run.

Data (generated here): a package with the layout `mifa pack` gives 200 images of 512 x 512 with
instance labels: per image an OME-Zarr 0.5 group with 3 levels (512, 256, 128) of uint16 in 64 x 64
chunks and a `nuclei` label image of uint32 in the same chunking, i.e. 84 + 84 chunk files plus
metadata per image (about 34,000 files, 400 MB of chunk bytes: the images' chunks random bytes, since
hashing does not care what they mean; the labels' chunks one 40 x 40 object each, as the audit
counts label objects and measures agreement, and a label image of noise would have an object per
pixel), one GeoJSON annotation set, mifa.json, and version 1 (file list object, record,
manifest.json) written as the DatasetPackage core writes them.

Task: `mifa audit <package> --json` (lists the tree, hashes every file of the manifest on all cores,
checks the version chain, the metadata and coverage) against
`find zarr.json mifa.json images annotations -type f -print0 | xargs -0 sha256sum` in the package
folder (one sha256sum process at a time: the usual way to check a file list). Both read from the
page cache: one untimed pass of each first, then the rounds interleave the two. Wall time and CPU
time (user + system, all threads and children, from `wait4`) are kept per round; the best round
counts. The load average is printed before and after, since other jobs may share the machine.

Usage: package_audit_bench.py [--rounds 3] [--images 200] [--mifa .build-release/release/mifa] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))
from package_helpers import ROOT_GROUP, canonical_json, metadata, write_version  # noqa: E402

SIZE, CHUNK, LEVELS = 512, 64, 3


def array_json(shape, dtype):
    return json.dumps({
        "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [CHUNK, CHUNK]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    }, indent=2)


def label_chunk(value: int) -> bytes:
    """A uint32 label chunk holding one 40 x 40 object of `value` on background 0."""
    row = bytes(4 * 12) + value.to_bytes(4, "little") * 40 + bytes(4 * 12)
    return bytes(4 * CHUNK * 12) + row * 40 + bytes(4 * CHUNK * 12)


def write_image(folder: Path, itemsize: int, dtype: str, label: bool):
    datasets = []
    for level in range(LEVELS):
        size = SIZE >> level
        (folder / str(level)).mkdir(parents=True)
        (folder / str(level) / "zarr.json").write_text(array_json([size, size], dtype))
        for y in range((size + CHUNK - 1) // CHUNK):
            for x in range((size + CHUNK - 1) // CHUNK):
                chunk = folder / str(level) / "c" / str(y) / str(x)
                chunk.parent.mkdir(parents=True, exist_ok=True)
                chunk.write_bytes(label_chunk(y * 8 + x + 1) if label else os.urandom(CHUNK * CHUNK * itemsize))
        datasets.append({"path": str(level), "coordinateTransformations": [{"type": "scale", "scale": [2.0 ** level] * 2}]})
    ome = {"version": "0.5", "multiscales": [{"axes": [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}], "datasets": datasets}]}
    if label:
        ome["image-label"] = {"source": {"image": "../../"}}
    (folder / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {"ome": ome}}, indent=2))


def generate(root: Path, images: int):
    ids = [f"img{index:03d}" for index in range(images)]
    for image in ids:
        write_image(root / "images" / image, 2, "uint16", label=False)
        write_image(root / "images" / image / "labels" / "nuclei", 4, "uint32", label=True)
        (root / "images" / image / "labels" / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {"ome": {"version": "0.5", "labels": ["nuclei"]}}}))
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [30, 10], [30, 30], [10, 30], [10, 10]]]},
                 "properties": {"image_id": image}} for image in ids]
    (root / "annotations" / "cells").mkdir(parents=True)
    (root / "annotations/cells/annotations.geojson").write_text(json.dumps({
        "type": "FeatureCollection", "mifa:images": [{"id": image, "file_name": f"images/{image}"} for image in ids], "features": features}))
    (root / "mifa.json").write_bytes(canonical_json(metadata(images=ids)))
    (root / "zarr.json").write_text(ROOT_GROUP)
    write_version(root, "1", "2026-01-01T00:00:00Z")


def timed(command, cwd=None) -> tuple[float, float, bytes]:
    """Wall and CPU seconds (user + system of the child and its waited-for children)."""
    before = os.times()
    start = time.perf_counter()
    process = subprocess.run(command, cwd=cwd, capture_output=True)
    elapsed = time.perf_counter() - start
    after = os.times()
    if process.returncode != 0:
        raise SystemExit(f"{command} failed ({process.returncode}):\n{process.stderr.decode()}\n{process.stdout[:2000].decode()}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return elapsed, cpu, process.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--mifa", default=str(ROOT / ".build-release" / "release" / "mifa"))
    parser.add_argument("--keep", help="generate the package here (reused when it exists) instead of a temporary folder")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mifa-audit-bench-"))
    package = work / "pkg"
    try:
        if not (package / "manifest.json").exists():
            started = time.perf_counter()
            generate(package, args.images)
            print(f"generated {package} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        manifest = json.loads((package / "manifest.json").read_text())
        files, total = len(manifest["files"]), sum(f["bytes"] for f in manifest["files"].values())
        audit = [args.mifa, "audit", str(package), "--json"]
        shasum = ["sh", "-c", "find zarr.json mifa.json images annotations -type f -print0 | xargs -0 sha256sum > /dev/null"]
        load_before = os.getloadavg()
        _, _, out = timed(audit)
        report = json.loads(out)
        timed(shasum, cwd=package)
        results = {"mifa audit": [], "sha256sum": []}
        for _ in range(args.rounds):
            results["mifa audit"].append(timed(audit)[:2])
            results["sha256sum"].append(timed(shasum, cwd=package)[:2])
        load_after = os.getloadavg()
        print(f"package: {args.images} images, {files} files, {total / 1e6:.0f} MB; audit verdict {report['verdict']} "
              f"({report['counts']['errors']} errors, {report['counts']['warnings']} warnings); cores {os.cpu_count()}")
        print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
              f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
        print("| tool | best wall (s) | CPU at best (s) | MB/s | all rounds wall (s) |")
        print("|---|---:|---:|---:|---|")
        best = {}
        for tool, rounds in results.items():
            wall, cpu = min(rounds)
            best[tool] = wall
            print(f"| {tool} | {wall:.2f} | {cpu:.2f} | {total / 1e6 / wall:.0f} | {', '.join(f'{w:.2f}' for w, _ in rounds)} |")
        print(f"mifa audit / sha256sum wall: {best['mifa audit'] / best['sha256sum']:.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
