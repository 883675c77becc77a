#!/usr/bin/env python3
"""Seed corpus for the FuzzAnnotations target: usage seeds_FuzzAnnotations.py <corpus-dir>.

Each seed starts with the byte that chooses the reader: 0 a COCO RLE counts string (then one byte
each for height and width), 1 GeoJSON, 2 COCO JSON. Seeds cover compressed counts (the FORMATS.md
vectors and random masks), QuPath-style GeoJSON with every geometry type, holes, MIFA types and
properties, and COCO files with polygons, compressed and uncompressed RLE, boxes, crowd regions,
results lists and tracks. Seeded and small, so runs are reproducible and fast.
"""
import json
import random
import sys
from pathlib import Path

VECTORS = [("5220003", 4, 5), ("51307", 4, 5), ("k0260e0", 8, 8), ("963N101N10=", 8, 8), ("0", 0, 0), ("P128000V1", 100, 1)]


def counts_string(counts):
    """COCO's compressed counts (pycocotools rleToString)."""
    out = []
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5
            more = x != -1 if ch & 0x10 else x != 0
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def random_counts(rng, height, width):
    total, counts = height * width, []
    while total > 0:
        run = min(total, rng.randint(0, 9))
        counts.append(run)
        total -= run
    return counts or [0]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20241121)
    seeds = {}
    for index, (text, h, w) in enumerate(VECTORS):
        seeds[f"rle-vector-{index}"] = bytes([0, h % 64, w % 64]) + text.encode()
    for index in range(12):
        h, w = rng.randint(1, 40), rng.randint(1, 40)
        seeds[f"rle-random-{index}"] = bytes([0, h, w]) + counts_string(random_counts(rng, h, w)).encode()

    qupath = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a1", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [8, 0], [8, 8], [0, 8], [0, 0]], [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]]},
         "properties": {"objectType": "annotation", "classification": {"name": "Tumor", "color": [200, 0, 0]}, "measurements": {"Area": 1.10}}},
        {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[[[10, 10], [12, 10], [12, 12], [10, 12], [10, 10]]]]},
         "nucleusGeometry": {"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11], [10, 10]]]},
         "properties": {"objectType": "cell", "classification": {"names": ["A", "B"]}}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [3.5, 2.25]]}, "properties": {"weak": True}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2, 3]}, "properties": {"frame": 2, "track_id": 5}},
        {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}, "properties": None},
        {"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]]]}, "properties": {"mifa:type": "graph",
         "mifa:graph": {"nodes": [[1, 0, 0], [2, 1, 1]], "edges": [[1, 2]]}}},
        {"type": "Feature", "geometry": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [0, 0]}]}, "properties": {}},
        {"type": "Feature", "geometry": None, "properties": {"mifa:type": "count", "count": 3}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 2], [0, 2], [0, 0]]]}, "properties": {"mifa:type": "ellipse",
         "mifa:ellipse": {"center": [2, 1], "radii": [2, 1], "rotation": 0.5}}},
    ], "mifa:tracks": [[5, 2, 2, 0]]}
    seeds["geojson-qupath"] = b"\x01" + json.dumps(qupath).encode()
    seeds["geojson-bare-geometry"] = b"\x01" + b'{"coordinates": [[[0,0],[0,4],[4,4],[4,0]]], "type": "Polygon"}'
    seeds["geojson-feature-list"] = b"\x01" + json.dumps(qupath["features"][:2]).encode()

    coco = {"info": {"v": 1}, "images": [{"id": 1, "file_name": "a.png", "width": 20, "height": 16}, {"id": 2, "file_name": "b.png", "width": 8, "height": 8}],
            "annotations": [
                {"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[1, 1, 10.5, 1, 10.5, 9, 1, 9]], "area": 80, "bbox": [1, 1, 9.5, 8], "iscrowd": 0},
                {"id": 2, "image_id": 2, "category_id": 2, "segmentation": {"size": [8, 8], "counts": "k0260e0"}, "iscrowd": 1},
                {"id": 3, "image_id": 2, "category_id": 2, "segmentation": {"size": [8, 8], "counts": [10, 3, 51]}, "iscrowd": 0, "track_id": 3, "frame": 0},
                {"id": 4, "image_id": 1, "category_id": 1, "bbox": [2, 3, 4, 5], "score": 0.9}],
            "categories": [{"id": 1, "name": "cell", "supercategory": "thing"}, {"id": 2, "name": "crowd", "color": [1, 2, 3]}],
            "mifa:tracks": [[3, 0, 0, 0]]}
    seeds["coco-mixed"] = b"\x02" + json.dumps(coco).encode()
    seeds["coco-results"] = b"\x02" + json.dumps([{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},
                                                  {"image_id": 7, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 1.5}]).encode()
    seeds["coco-polygons-outside"] = b"\x02" + json.dumps({"images": [{"id": 1, "width": 4, "height": 4}], "annotations": [
        {"id": 1, "image_id": 1, "segmentation": [[-5, -5, 9, -1, 3, 12]]}]}).encode()
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
