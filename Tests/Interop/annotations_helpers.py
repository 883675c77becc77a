"""Shared helpers for the annotation interop tests: random masks and polygons, COCO files, and the
AnnotationsBench tool (built next to `mifa`) for the operations `mifa convert` has no verb for."""
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def bench_tool(mifa_bin):
    """Run `AnnotationsBench ARGS...` (built with the package, next to mifa) and return its JSON."""
    path = Path(mifa_bin).parent / "AnnotationsBench"
    if not path.exists():
        pytest.fail(f"AnnotationsBench not found next to {mifa_bin}: build the package (swift build)")

    def run(*args):
        proc = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return run


def random_mask(rng, height, width):
    """A binary mask of one of several kinds: noise, blobs, lines, empty, full, a checkerboard."""
    kind = rng.integers(0, 7)
    if kind == 0:
        return (rng.random((height, width)) < rng.uniform(0.05, 0.95)).astype(np.uint8)
    if kind == 1:
        mask = np.zeros((height, width), np.uint8)
        yy, xx = np.mgrid[0:height, 0:width]
        for _ in range(rng.integers(1, 5)):
            cy, cx = rng.uniform(0, height), rng.uniform(0, width)
            ry, rx = rng.uniform(0.5, height / 2 + 1), rng.uniform(0.5, width / 2 + 1)
            mask |= (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1).astype(np.uint8)
        if rng.random() < 0.5:  # punch holes
            mask[rng.random((height, width)) < 0.1] = 0
        return mask
    if kind == 2:
        mask = np.zeros((height, width), np.uint8)
        for _ in range(rng.integers(1, 4)):
            mask[rng.integers(0, height), :] = 1
            mask[:, rng.integers(0, width)] = 1
        return mask
    if kind == 3:
        return np.zeros((height, width), np.uint8)
    if kind == 4:
        return np.ones((height, width), np.uint8)
    if kind == 5:
        return ((np.add.outer(np.arange(height), np.arange(width)) % 2) == 0).astype(np.uint8)
    mask = np.zeros((height, width), np.uint8)
    y0, x0 = rng.integers(0, height), rng.integers(0, width)
    mask[y0:y0 + rng.integers(1, height + 1), x0:x0 + rng.integers(1, width + 1)] = 1
    return mask


def random_label_image(rng, height, width, labels):
    """An instance label image: overlapping blobs (later wins), some noise, holes and diagonal touches."""
    image = np.zeros((height, width), np.uint16)
    yy, xx = np.mgrid[0:height, 0:width]
    for label in range(1, labels + 1):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(1, height / 3 + 1), rng.uniform(1, width / 3 + 1)
        blob = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        if rng.random() < 0.4:
            blob &= rng.random((height, width)) > 0.15
        image[blob] = label
    checker = (np.add.outer(np.arange(height), np.arange(width)) % 2 == 0) & (rng.random((height, width)) < 0.03)
    image[checker] = labels + 1
    return image


def random_polygon(rng, height, width):
    """A float polygon, often reaching past the image border, sometimes self-intersecting."""
    k = int(rng.integers(3, 13))
    if rng.random() < 0.5:
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        cx, cy = rng.uniform(-2, width + 2), rng.uniform(-2, height + 2)
        r = rng.uniform(0.3, max(width, height) / 2 + 2, k)
        xs, ys = cx + r * np.cos(angles), cy + r * np.sin(angles)
    else:
        xs, ys = rng.uniform(-3, width + 3, k), rng.uniform(-3, height + 3, k)
    if rng.random() < 0.3:
        xs, ys = np.round(xs * 2) / 2, np.round(ys * 2) / 2
    return [float(v) for pair in zip(xs, ys) for v in pair]


def write_json(path, value):
    path.write_text(json.dumps(value))
    return path
