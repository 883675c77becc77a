"""The loader benchmark's cases (issue 21): what each reads, and its data, made once into a folder.

- 2d: 16 OME-Zarr images of 4096x4096 uint16 (background gradient, ~1500 Gaussian-ish "cells",
  noise), zstd level 3, 256x256 chunks, each with an instance label image (uint32, one value per
  cell) at labels/cells, made with `mifa omezarr from-tiff`; random 256x256 patches with their labels.
- 3d: 4 EM-like volumes of 512x1024x1024 uint8 (z, y, x), zstd level 3, 64^3 chunks; random
  64x64x64 patches, no labels.
- channels: 4 images of 4 channels of 4096x4096 uint16 (c, y, x), zstd level 3, 1x256x256 chunks;
  random 256x256 patches of all 4 channels, no labels.

The 3-D and channel images are written by `mifa zarr import` (level 0 from a .npy generated in
blocks with NumPy) under an OME-Zarr 0.5 group written here. Their pixels are smooth structure plus
noise so that zstd compresses them as it does real images (the EM volumes ~1.3x, as EM does), not
random bytes or zeros: membranes are the iso-surfaces of a smooth random field, the cytoplasm a
finer smooth field, plus Gaussian noise; each fluorescence channel is blobs of its own smooth field
over a background, plus noise.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    """One workload: `images` OME-Zarr images of `shape` (level 0) in `chunks`, read as patches of
    `patch` (the spatial axes, the last ones of the shape; every channel), in batches of `batch`."""
    name: str
    images: int
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: str
    patch: tuple[int, ...]
    label: str | None
    make: Callable[["Case", Path, str], None]
    batch: int = 32

    @property
    def channels(self) -> int:
        """The channels a patch holds (1 without a c axis)."""
        return self.shape[0] if len(self.shape) > len(self.patch) else 1

    @property
    def spatial(self) -> tuple[int, ...]:
        """The spatial extents of an image."""
        return self.shape[len(self.shape) - len(self.patch):]

    def region(self, origin: tuple[int, ...]) -> tuple[slice, ...]:
        """The index of the patch at `origin` (spatial) in an image array: every channel."""
        return (slice(None),) * (len(self.shape) - len(self.patch)) + tuple(slice(o, o + p) for o, p in zip(origin, self.patch))

    def chunks_per_patch(self) -> float:
        """The image chunks a patch at a uniformly random position touches, on average."""
        spatial_chunks = self.chunks[len(self.chunks) - len(self.patch):]
        return self.channels * math.prod(1 + (p - 1) / c for p, c in zip(self.patch, spatial_chunks))

    def no_cache_mb(self, workers: int = 2, prefetch: int = 2) -> int:
        """The smallest `--budget-mb` the loader takes (prefetched batches, the one being filled and
        one chunk per worker): it leaves (almost) no room for a decoded-chunk cache."""
        pixels = math.prod(self.patch)
        item = np.dtype(self.dtype).itemsize
        batch_bytes = self.batch * pixels * (self.channels * item + (4 if self.label else 0))
        chunk_bytes = math.prod(self.chunks) * (4 if self.label else item)
        return -(-((prefetch + 1) * batch_bytes + workers * chunk_bytes) // 2**20)

    def paths(self, folder: Path) -> list[str]:
        """The images, in the order `mifa bench` numbers them."""
        return [str(p) for p in sorted(folder.glob("img*.zarr"))]


def make_cells(case: Case, folder: Path, mifa: str) -> None:
    """The 2-D case: cells over a gradient with noise, and their instance labels."""
    import tifffile
    n = case.shape[-1]
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:n, 0:n]
    for i in range(case.images):
        out = folder / f"img{i:02d}.zarr"
        if (out / "zarr.json").exists():
            continue
        image = (300 + 200 * (yy / n) + 100 * (xx / n)).astype(np.float32)
        labels = np.zeros((n, n), np.uint32)
        for k in range(1, 1501):
            cy, cx, r = rng.integers(0, n), rng.integers(0, n), int(rng.integers(6, 20))
            y0, y1, x0, x1 = max(0, cy - r), min(n, cy + r), max(0, cx - r), min(n, cx + r)
            disc = (yy[y0:y1, x0:x1] - cy) ** 2 + (xx[y0:y1, x0:x1] - cx) ** 2 <= r * r
            labels[y0:y1, x0:x1][disc] = k
            image[y0:y1, x0:x1][disc] += float(rng.integers(500, 3000))
        image += rng.normal(0, 30, size=(n, n)).astype(np.float32)
        tif, mask = folder / "tmp.tif", folder / "tmp-mask.tif"
        tifffile.imwrite(tif, np.clip(image, 0, 65535).astype(np.uint16))
        tifffile.imwrite(mask, labels)
        subprocess.run([mifa, "omezarr", "from-tiff", str(tif), str(out), "--chunks", "256,256", "--levels", "1",
                        "--codec", "zstd:3", "--label", f"cells={mask}"], check=True)
        tif.unlink()
        mask.unlink()


def smooth(coarse: np.ndarray, step: int, ranges: list[tuple[int, int]]) -> np.ndarray:
    """The field of `coarse` (one value every `step` pixels) linearly interpolated at the pixels
    `ranges` (start, stop per axis), as float32; axes are interpolated in turn, the first first (so
    a block of a few z planes stays small until its last axis)."""
    out = coarse
    for axis, (start, stop) in enumerate(ranges):
        position = np.arange(start, stop, dtype=np.float32) / step
        low = position.astype(np.int64)
        weight = (position - low).reshape([-1 if a == axis else 1 for a in range(out.ndim)])
        a, b = np.take(out, low, axis=axis), np.take(out, low + 1, axis=axis)
        out = a + (b - a) * weight
    return out


def _doubled(values: np.ndarray) -> np.ndarray:
    """`values` with every pixel repeated twice along every axis (structure is made at half
    resolution: a quarter or an eighth of the arithmetic)."""
    for axis in range(values.ndim):
        values = np.repeat(values, 2, axis=axis)
    return values


class _Noise:
    """Gaussian noise of standard deviation `sigma` around `offset`, as `dtype`, drawn once for a
    block of `shape` plus a margin along the last axis; each block added takes a window at another
    offset, so no chunk repeats noise inside it (zstd compresses each chunk on its own) while the
    noise is drawn once, not per pixel of the data."""

    def __init__(self, rng: np.random.Generator, shape: tuple[int, ...], sigma: float, offset: int, dtype: str, margin: int = 509):
        drawn = rng.standard_normal((*shape[:-1], shape[-1] + margin), dtype=np.float32) * sigma + offset
        self.values = np.clip(np.rint(drawn), 0, 2 * offset).astype(dtype)
        self.offset, self.margin, self.rng = offset, margin, rng

    def add(self, structure: np.ndarray) -> np.ndarray:
        """`structure` (at least `offset` and at most the type's maximum minus `offset`) plus noise."""
        shift = int(self.rng.integers(0, self.margin + 1))
        window = self.values[tuple(slice(0, n) for n in structure.shape[:-1]) + (slice(shift, shift + structure.shape[-1]),)]
        structure += window
        structure -= structure.dtype.type(self.offset)
        return structure


def _import_level(mifa: str, out: Path, block: Callable[[np.ndarray, int], None], case: Case, axes: list[dict]) -> None:
    """Writes one OME-Zarr 0.5 image at `out`: level 0 filled block by block (`block(array, k)`
    fills blocks k = 0, 1, ... along the first axis of a .npy of the case's shape, `case.chunks[0]`
    thick), imported by `mifa zarr import`, then the group's metadata (last: its zarr.json marks
    the image complete)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    npy = out.parent / f"{out.name}.npy"
    array = np.lib.format.open_memmap(npy, mode="w+", dtype=case.dtype, shape=case.shape)
    for k in range(-(-case.shape[0] // case.chunks[0])):
        block(array, k)
    array.flush()
    del array
    subprocess.run([mifa, "zarr", "import", str(npy), str(out / "0"), "--chunks", ",".join(map(str, case.chunks)),
                    "--codec", "zstd:3"], check=True, stdout=subprocess.DEVNULL)
    npy.unlink()
    array_meta = json.loads((out / "0" / "zarr.json").read_text())
    array_meta["dimension_names"] = [axis["name"] for axis in axes]  # as OME-NGFF 0.5 asks
    (out / "0" / "zarr.json").write_text(json.dumps(array_meta))
    ome = {"version": "0.5", "multiscales": [{"axes": axes, "datasets": [
        {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1.0] * len(axes)}]}]}]}
    (out / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {"ome": ome}}))


def make_volumes(case: Case, folder: Path, mifa: str) -> None:
    """The 3-D case: EM-like volumes (membranes, cytoplasm texture, noise), in blocks of z planes."""
    space = [{"name": n, "type": "space", "unit": "nanometer"} for n in "zyx"]
    noise = _Noise(np.random.default_rng(99), (case.chunks[0], *case.shape[1:]), 9, 24, "uint8")
    half = [n // 2 for n in case.shape]
    for i in range(case.images):
        out = folder / f"img{i:02d}.zarr"
        if (out / "zarr.json").exists():
            continue
        rng = np.random.default_rng(100 + i)
        cells = rng.standard_normal([n // 24 + 2 for n in half]).astype(np.float32)
        texture = rng.standard_normal([n // 3 + 2 for n in half]).astype(np.float32)

        def block(array: np.ndarray, k: int) -> None:
            z0, z1 = k * case.chunks[0], min(case.shape[0], (k + 1) * case.chunks[0])
            ranges = [(z0 // 2, (z1 + 1) // 2), (0, half[1]), (0, half[2])]
            membrane = np.abs((smooth(cells, 24, ranges) * 1.5) % 1 - 0.5)
            np.minimum(membrane, 0.06, out=membrane)
            value = 60 + 1500 * membrane + 18 * smooth(texture, 3, ranges)  # membranes ~60, cytoplasm ~150
            structure = np.clip(value, 24, 231).astype(np.uint8)
            array[z0:z1] = noise.add(_doubled(structure)[:z1 - z0])

        _import_level(mifa, out, block, case, space)


def make_channels(case: Case, folder: Path, mifa: str) -> None:
    """The multi-channel case: per channel, blobs of a smooth field of its own over a background,
    plus noise."""
    axes = [{"name": "c", "type": "channel"}] + [{"name": n, "type": "space", "unit": "micrometer"} for n in "yx"]
    noise = _Noise(np.random.default_rng(199), case.shape[1:], 25, 200, "uint16")
    half = [n // 2 for n in case.shape[1:]]
    for i in range(case.images):
        out = folder / f"img{i:02d}.zarr"
        if (out / "zarr.json").exists():
            continue
        rng = np.random.default_rng(200 + i)

        def block(array: np.ndarray, c: int) -> None:
            blobs = smooth(rng.standard_normal([n // 12 + 2 for n in half]).astype(np.float32), 12, [(0, n) for n in half])
            value = 250 + 120 * c + 2500 * np.maximum(0, blobs - 0.4)
            array[c] = noise.add(_doubled(np.clip(value, 200, 65335).astype(np.uint16)))

        _import_level(mifa, out, block, case, axes)


CASES = {
    "2d": Case("2d", 16, (4096, 4096), (256, 256), "uint16", (256, 256), "cells", make_cells),
    "3d": Case("3d", 4, (512, 1024, 1024), (64, 64, 64), "uint8", (64, 64, 64), None, make_volumes),
    "channels": Case("channels", 4, (4, 4096, 4096), (1, 256, 256), "uint16", (256, 256), None, make_channels),
}
