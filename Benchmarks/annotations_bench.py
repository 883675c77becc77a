#!/usr/bin/env python3
"""Annotation benchmark: MIFAKit against pycocotools (C), rasterio (GDAL) and Python's json on the
same data, in the same run, on the same machine.

Operations (each tool in-process, times exclude process start-up and input-file reading except
where loading is the operation; the best of --rounds rounds per cell is kept):
  RLE encode     500 masks of 512x512 (1-6 cell-like blobs each), Fortran-ordered uint8, to
                 compressed counts strings (pycocotools: mask.encode).
  RLE decode     those 500 strings to masks (pycocotools: mask.decode).
  polygon -> RLE 20,000 polygons of 16-48 vertices on 512x512 (pycocotools: frPyObjects).
  merge          5,000 unions of 4 RLE strings each, to a string (pycocotools: mask.merge).
  mask -> polygons  a 2048x2048 label image with 4,000 cells, 4-connected pixel-edge polygons
                 (rasterio.features.shapes, GDAL polygonize, background masked out).
  load COCO      a 100k-annotation COCO file with polygons (json.load + pycocotools COCO index).
Results must agree before anything is timed (strings equal, areas equal).

Usage: annotations_bench.py [--rounds 3] [--bench-bin .build-bench-annotations/release/AnnotationsBench] [--markdown]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio.features
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

ROOT = Path(__file__).resolve().parents[1]


def blobs(rng, height, width, count):
    mask = np.zeros((height, width), np.uint8)
    for _ in range(count):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(4, 40), rng.uniform(4, 40)
        y0, y1 = int(max(cy - ry, 0)), int(min(cy + ry + 1, height))
        x0, x1 = int(max(cx - rx, 0)), int(min(cx + rx + 1, width))
        yy, xx = np.mgrid[y0:y1, x0:x1]
        mask[y0:y1, x0:x1] |= ((((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2) <= 1).astype(np.uint8)
    return mask


def polygon(rng, size, vertices):
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    cx, cy = rng.uniform(0, size, 2)
    r = rng.uniform(5, 60) * rng.uniform(0.7, 1.3, vertices)
    return np.round(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]).ravel(), 2).tolist()


def label_image(rng, size, cells):
    image = np.zeros((size, size), np.int32)
    for label in range(1, cells + 1):
        cy, cx = rng.uniform(0, size, 2)
        ry, rx = rng.uniform(4, 14, 2)
        y0, y1 = int(max(cy - ry, 0)), int(min(cy + ry + 1, size))
        x0, x1 = int(max(cx - rx, 0)), int(min(cx + rx + 1, size))
        yy, xx = np.mgrid[y0:y1, x0:x1]
        inside = (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2) <= 1
        image[y0:y1, x0:x1][inside] = label
    return image


def best(function, rounds):
    """Best wall-clock and best CPU time of `rounds` runs, and the result."""
    times, cpus = [], []
    result = None
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return (min(times), min(cpus)), result


def tool(binary, *args):
    proc = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def tool_best(binary, rounds, *args):
    results = [tool(binary, *args) for _ in range(rounds)]
    return (min(r["seconds"] for r in results), min(r["cpu"] for r in results)), results[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bench-bin", default=str(ROOT / ".build-bench-annotations/release/AnnotationsBench"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(20241121)
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)

        # RLE encode / decode.
        masks = np.stack([blobs(rng, 512, 512, int(rng.integers(1, 7))) for _ in range(500)])
        np.save(tmp / "masks.npy", masks)
        fortran = np.asfortranarray(masks.transpose(1, 2, 0))
        peer, encoded = best(lambda: mask_utils.encode(fortran), args.rounds)
        ours, result = tool_best(args.bench_bin, args.rounds, "encode", tmp / "masks.npy")
        assert result["counts"] == [e["counts"].decode() for e in encoded], "encode differs"
        rows.append(("RLE encode (500 masks 512x512)", "pycocotools", peer, ours))
        strings = [{"size": e["size"], "counts": e["counts"].decode()} for e in encoded]
        (tmp / "rles.json").write_text(json.dumps(strings))
        peer, _ = best(lambda: mask_utils.decode(encoded), args.rounds)
        ours, _ = tool_best(args.bench_bin, args.rounds, "decode-strings", tmp / "rles.json")
        rows.append(("RLE decode (500 masks 512x512)", "pycocotools", peer, ours))

        # Polygon rasterisation.
        polygons = [polygon(rng, 512, int(rng.integers(16, 49))) for _ in range(20000)]
        (tmp / "polygons.json").write_text(json.dumps({"height": 512, "width": 512, "polygons": polygons}))
        peer, frpoly = best(lambda: mask_utils.frPyObjects(polygons, 512, 512), args.rounds)
        ours, result = tool_best(args.bench_bin, args.rounds, "frpoly-list", tmp / "polygons.json")
        assert result["counts"] == [r["counts"].decode() for r in frpoly], "frPoly differs"
        rows.append(("polygon -> RLE (20k polygons)", "pycocotools", peer, ours))

        # Merge (union) of groups of 4.
        groups = [[{"size": r["size"], "counts": r["counts"].decode()} for r in frpoly[i:i + 4]] for i in range(0, len(frpoly), 4)]
        (tmp / "groups.json").write_text(json.dumps(groups))
        peer, merged = best(lambda: [mask_utils.merge(group) for group in groups], args.rounds)
        ours, result = tool_best(args.bench_bin, args.rounds, "merge-strings", tmp / "groups.json")
        assert result["counts"] == [m["counts"].decode() for m in merged], "merge differs"
        rows.append(("merge (5k unions of 4)", "pycocotools", peer, ours))

        # Mask -> polygons.
        labels = label_image(rng, 2048, 4000)
        np.save(tmp / "labels.npy", labels)
        peer, shapes = best(lambda: list(rasterio.features.shapes(labels, mask=labels > 0, connectivity=4)), args.rounds)
        ours, result = tool_best(args.bench_bin, args.rounds, "trace", tmp / "labels.npy")
        gdal_area = {}
        for geometry, value in shapes:
            from shapely.geometry import shape
            gdal_area[int(value)] = gdal_area.get(int(value), 0) + shape(geometry).area
        assert {o["label"]: o["area"] for o in result["objects"]} == gdal_area, "traced areas differ"
        rows.append(("mask -> polygons (2048x2048, 4k cells)", "rasterio.features.shapes", peer, ours))

        # Loading a 100k-annotation COCO file.
        images = [{"id": i + 1, "file_name": f"i{i}.png", "width": 512, "height": 512} for i in range(1000)]
        annotations = [{"id": a + 1, "image_id": a % 1000 + 1, "category_id": 1 + a % 3, "segmentation": [polygons[a % len(polygons)]],
                        "area": 1000.0, "bbox": [1.0, 2.0, 30.0, 40.0], "iscrowd": 0} for a in range(100_000)]
        coco_path = tmp / "coco100k.json"
        coco_path.write_text(json.dumps({"images": images, "annotations": annotations, "categories": [{"id": c, "name": f"c{c}"} for c in (1, 2, 3)]}))
        size_mb = os.path.getsize(coco_path) / 1e6

        def load_python():
            with contextlib.redirect_stdout(io.StringIO()):
                return COCO(str(coco_path))

        peer, index = best(load_python, args.rounds)
        ours, result = tool_best(args.bench_bin, args.rounds, "load", coco_path)
        assert result["annotations"] == len(index.anns) == 100_000
        rows.append((f"load COCO (100k annotations, {size_mb:.0f} MB)", "json + pycocotools COCO", peer, ours))

    if args.markdown:
        print("| operation | peer | peer s | MIFAKit s | speed-up | peer CPU s | MIFAKit CPU s | CPU speed-up |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, tool_name, (peer, peer_cpu), (ours, ours_cpu) in rows:
            print(f"| {name} | {tool_name} | {peer:.3f} | {ours:.3f} | {peer / ours:.1f}x | {peer_cpu:.3f} | {ours_cpu:.3f} | {peer_cpu / ours_cpu:.1f}x |")
    else:
        for name, tool_name, (peer, peer_cpu), (ours, ours_cpu) in rows:
            print(f"{name:45s} {tool_name:26s} {peer:7.3f} s  MIFAKit {ours:7.3f} s  {peer / ours:5.1f}x   CPU {peer_cpu:7.3f} / {ours_cpu:7.3f} s  {peer_cpu / ours_cpu:5.1f}x")


if __name__ == "__main__":
    main()
