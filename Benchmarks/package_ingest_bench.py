#!/usr/bin/env python3
"""Package ingest benchmark: `mifa pack` against tifffile + ome-zarr-py writing the same images and
labels, same data, same machine, same run.

Data (generated deterministically into a temporary folder): 200 uint16 images of 512 x 512 pixels
(gradient, ~40 bright "nuclei", Poisson noise) as TIFF, each with a uint16 instance mask
`<name>_mask.tif` (one label per nucleus), plus a metadata YAML with one annotation set
(segmentation_mask, file_name_pattern).

Task: every image becomes an OME-Zarr 0.5 image with a 2-level pyramid (512 -> 256, block mean),
chunks 256 x 256, zstd level 3, and its mask a label image (mode pyramid) under labels/. MIFAKit:
`mifa pack src pkg --metadata mifa.yaml` (which also hashes every file into the manifest and writes
mifa.json and the version record). Peer: for each image, tifffile.imread + ome-zarr-py 0.18
`write_image(..., scale_factors=(2,), method=LOCAL_MEAN)` and `write_labels(..., method=NEAREST)`
with the same chunks and codec. Each tool runs as a child process, rounds interleave the tools;
best wall time and CPU time (user + system, all threads), and the child's peak RSS (`wait4`).

Usage: package_ingest_bench.py [--rounds 3] [--mifa .build-release/release/mifa] [--images 200] [--markdown]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_process import best_of_rounds, comparison_table  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
SIZE = 512

METADATA = """\
study:
  title: Synthetic nuclei for the ingest benchmark
  description: Fluorescence images of nuclei generated to benchmark packaging for nuclear segmentation.
  keywords: [nucleus, segmentation]
  license: CC-BY-4.0
  funding_statement: No funding.
  link_url: [https://example.org/nuclei]
annotations:
  - annotation_overview: Instance masks of nuclei
    annotation_type: [segmentation_mask]
    annotation_method: Generated.
    annotation_source_indicator: file_name_pattern
    authors:
      - author_first_name: Ada
        author_last_name: Lovelace
version:
  version: "1"
  timestamp: 2024-01-01T00:00:00Z
"""

PEER = r'''
import sys, warnings
from pathlib import Path
warnings.filterwarnings("ignore")
import tifffile, zarr
from zarr.codecs import ZstdCodec
from ome_zarr.format import FormatV05
from ome_zarr.scale import Methods
from ome_zarr.writer import write_image, write_labels
source, out = Path(sys.argv[1]), Path(sys.argv[2])
options = {"chunks": (256, 256), "compressors": [ZstdCodec(level=3)]}
for path in sorted(source.glob("*.tif")):
    if path.stem.endswith("_mask"):
        continue
    image = tifffile.imread(path)
    mask = tifffile.imread(path.with_name(path.stem + "_mask.tif"))
    group = zarr.open_group(str(out / path.stem), mode="w", zarr_format=3)
    write_image(image, group, fmt=FormatV05(), axes="yx", scale_factors=(2,), method=Methods.LOCAL_MEAN, storage_options=options)
    write_labels(mask, group, name="set1", fmt=FormatV05(), axes="yx", scale_factors=(2,), method=Methods.NEAREST, storage_options=options)
'''


def make_source(folder: Path, count: int, seed: int = 5) -> int:
    """Writes the images, masks and metadata; returns the number of source bytes."""
    import tifffile

    rng = np.random.default_rng(seed)
    images = folder / "src"
    images.mkdir(parents=True)
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    background = (200 + 0.1 * x + 0.05 * y).astype(np.float32)
    for i in range(count):
        plane = background.copy()
        mask = np.zeros((SIZE, SIZE), dtype=np.uint16)
        for label in range(1, 41):
            cy, cx = rng.integers(12, SIZE - 12, size=2)
            r = int(rng.integers(5, 11))
            disc = (y - cy) ** 2 + (x - cx) ** 2 <= r * r
            mask[disc] = label
            plane[disc] += rng.uniform(800, 2000)
        image = np.clip(rng.poisson(plane), 0, 65535).astype(np.uint16)
        tifffile.imwrite(images / f"img{i:04d}.tif", image)
        tifffile.imwrite(images / f"img{i:04d}_mask.tif", mask)
    (folder / "mifa.yaml").write_text(METADATA)
    return sum(p.stat().st_size for p in images.iterdir())


def check(source: Path, ours: Path, theirs: Path, count: int) -> str:
    import tifffile
    import zarr

    for i in (0, count // 2, count - 1):
        name = f"img{i:04d}"
        image = tifffile.imread(source / f"{name}.tif")
        mask = tifffile.imread(source / f"{name}_mask.tif")
        for root in (ours / "images" / name, theirs / name):
            for path, expected in ((root, image), (root / "labels" / "set1", mask)):
                group = zarr.open_group(str(path), mode="r")
                level0 = group.attrs["ome"]["multiscales"][0]["datasets"][0]["path"]
                assert np.array_equal(group[level0][...], expected), path
    return f"level 0 and labels equal to the source in both (images 0, {count // 2}, {count - 1} checked)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mifa", default=str(ROOT / ".build-release" / "release" / "mifa"))
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--markdown", action="store_true", help="print the table only, as Markdown")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="package-ingest-bench-"))
    try:
        print(f"generating {args.images} images of {SIZE} x {SIZE} with masks ...", file=sys.stderr)
        source_bytes = make_source(work, args.images)
        ours, theirs = work / "pkg", work / "peer"
        tools = {
            "MIFAKit (mifa pack)": ([args.mifa, "pack", str(work / "src"), str(ours), "--metadata", str(work / "mifa.yaml")], ours),
            "tifffile + ome-zarr-py 0.18": ([sys.executable, "-c", PEER, str(work / "src"), str(theirs)], theirs),
        }
        load_before = os.getloadavg()
        best = best_of_rounds(tools, args.rounds)
        load_after = os.getloadavg()
        verdict = check(work / "src", ours, theirs, args.images)
        lines = comparison_table(best, {"images/s": lambda seconds, cpu, peak: f"{args.images / seconds:.1f}"})
        if not args.markdown:
            print(f"\n{args.images} images {SIZE} x {SIZE} uint16 + instance masks ({source_bytes / 2**20:.0f} MiB of TIFF) -> package, "
                  f"{os.cpu_count()} cores, best of {args.rounds} rounds, load average {load_before[0]:.2f} -> {load_after[0]:.2f}")
        print("\n".join(lines))
        print(f"\ncheck: {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
