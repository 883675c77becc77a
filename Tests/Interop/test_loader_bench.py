"""`mifa bench`: the batch loader over OME-Zarr images made from TIFFs; its JSON report, its
determinism (same seed, same digest for any number of workers) and its patches against tifffile."""
import numpy as np
import pytest
import tifffile

FIELDS = {"patches_per_second", "batches", "consumer_wait_fraction", "cache_hit_rate", "peak_memory_bytes", "digest"}


@pytest.fixture(scope="module")
def images(tmp_path_factory, mifa):
    root = tmp_path_factory.mktemp("loader")
    folder = root / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        pixels = rng.integers(0, 60000, size=(300, 260), dtype=np.uint16)
        labels = (np.arange(300)[:, None] // 20 * 13 + np.arange(260)[None, :] // 30 + i).astype(np.uint16) % 7
        tifffile.imwrite(root / f"img{i}.tif", pixels)
        tifffile.imwrite(root / f"mask{i}.tif", labels)
        mifa("omezarr", "from-tiff", root / f"img{i}.tif", folder / f"img{i}.zarr", "--chunks", "64,64", "--levels", "2",
             "--label", f"cells={root / f'mask{i}.tif'}")
    return folder


def bench(mifa, *args):
    _, report = mifa("bench", *map(str, args), "--json", parse_json=True)
    return report


def test_report_has_the_documented_fields(mifa, images):
    report = bench(mifa, images, "--patch", "48,40", "--batch", "8", "--samples", "50", "--epochs", "2", "--seed", "3")
    assert FIELDS <= report.keys()
    assert report["batches"] == 2 * 7 and report["patches"] == 100
    assert report["patches_per_second"] > 0
    assert 0 <= report["consumer_wait_fraction"] <= 1 and 0 <= report["cache_hit_rate"] <= 1
    assert 0 < report["peak_memory_bytes"] <= report["memory_budget_bytes"]
    assert len(report["digest"]) == 16


def test_digest_depends_on_seed_only(mifa, images):
    common = ("--patch", "32,32", "--batch", "4", "--samples", "24", "--label", "cells")
    digests = {bench(mifa, images, *common, "--seed", "5", "--workers", w, "--prefetch", p)["digest"]
               for w, p in [(1, 1), (2, 2), (4, 3)]}
    assert len(digests) == 1
    assert bench(mifa, images, *common, "--seed", "6")["digest"] not in digests


def test_simulated_step_and_level(mifa, images):
    report = bench(mifa, images, "--patch", "32,32", "--batch", "4", "--samples", "8", "--step-ms", "5", "--level", "1")
    assert report["batches"] == 2 and report["seconds"] >= 0.01


def test_bad_input(mifa, tmp_path):
    proc = mifa("bench", tmp_path, check=False)
    assert proc.returncode == 1 and "not an OME-Zarr" in proc.stderr
    proc = mifa("bench", tmp_path, "--patch", "0,3", check=False)
    assert proc.returncode == 2
