"""`mifa bench`: the batch loader over OME-Zarr images made from TIFFs; its JSON report, its
determinism (same seed, same digest for any number of workers), weighted datasets, patch lists, and
the batches it saves against tifffile."""
import json
import re
import os

import numpy as np
import pytest
import tifffile

from http_server import NginxServer

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
        np.save(root / f"img{i}.npy", pixels)
        np.save(root / f"mask{i}.npy", labels)
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


def test_saved_batches_match_the_tiffs_and_a_patch_list(mifa, images, tmp_path):
    root = images.parent
    patches = [[0, 0, 0], [2, 100, 200], [1, 252, 3], [0, 17, 31], [2, 299 - 48, 259 - 40]]
    (tmp_path / "list.json").write_text(json.dumps(patches))
    out = tmp_path / "saved"
    report = bench(mifa, images, "--patch", "48,40", "--batch", "2", "--patch-list", tmp_path / "list.json", "--label", "cells",
                   "--save-batches", out, "--save-count", "2", "--seed", "4")
    assert report["batches"] == 3 and report["patches"] == 5
    assert sorted(p.name for p in out.iterdir()) == sorted(f"batch-00{k}{suffix}" for k in range(2)
                                                             for suffix in (".json", "-images.npy", "-masks.npy"))
    seen = []
    for k in range(2):
        doc = json.loads((out / f"batch-00{k}.json").read_text())
        pixels, masks = np.load(out / f"batch-00{k}-images.npy"), np.load(out / f"batch-00{k}-masks.npy")
        assert pixels.shape == (2, 1, 48, 40) and pixels.dtype == np.uint16 and masks.shape == (2, 48, 40)
        assert doc["image_shape"] == [2, 1, 48, 40] and len(doc["patches"]) == 2
        for j, patch in enumerate(doc["patches"]):
            i = int(patch["image"].rsplit("img", 1)[1].split(".")[0])
            _, y, x = patch["origin"]
            assert patch["shape"] == [1, 48, 40] and patch["annotations"] == []
            np.testing.assert_array_equal(pixels[j, 0], np.load(root / f"img{i}.npy")[y:y + 48, x:x + 40])
            np.testing.assert_array_equal(masks[j], np.load(root / f"mask{i}.npy")[y:y + 48, x:x + 40])
            seen.append([i, y, x])
    assert all(p in patches for p in seen) and len(seen) == 4
    proc = mifa("bench", images, "--patch", "48,40", "--patch-list", tmp_path / "missing.json", check=False)
    assert proc.returncode == 1 and "missing.json" in proc.stderr
    (tmp_path / "bad.json").write_text("[[0, 1]]")
    proc = mifa("bench", images, "--patch", "48,40", "--patch-list", tmp_path / "bad.json", check=False)
    assert proc.returncode == 1 and "entry 0" in proc.stderr


def test_weighted_inputs(mifa, images, tmp_path):
    common = ("--patch", "16,16", "--batch", "8", "--samples", "64", "--seed", "2")
    first = bench(mifa, images / "img0.zarr", images / "img1.zarr", *common, "--weights", "3,1")
    again = bench(mifa, images / "img0.zarr", images / "img1.zarr", *common, "--weights", "3,1")
    assert first["digest"] == again["digest"] and first["images"] == 2
    assert bench(mifa, images / "img0.zarr", images / "img1.zarr", *common, "--weights", "1,3")["digest"] != first["digest"]
    proc = mifa("bench", images / "img0.zarr", images / "img1.zarr", "--weights", "3", check=False)
    assert proc.returncode == 2 and "--weights" in proc.stderr


def test_package_patches_carry_their_annotations(mifa, tmp_path):
    """Batches streamed from a MIFA package carry the vector annotations of each patch: the ids in
    a saved batch equal a brute-force search with shapely (features overlapping the patch with
    positive area), and every clipped polygon lies inside the patch."""
    import json
    from pathlib import Path

    from shapely.geometry import box, shape

    samples = Path(__file__).resolve().parents[2] / "Samples" / "nuclei"
    package = tmp_path / "nuclei.mifa"
    mifa("pack", samples, package, "--metadata", samples / "mifa.yaml", "--file-list", samples / "files.tsv")
    out = tmp_path / "batches"
    mifa("bench", package, "--patch", "128,128", "--batch", "8", "--samples", "16", "--annotations", "set3",
         "--save-batches", out, "--save-count", "2")
    geojson = json.loads((package / "annotations" / "set3" / "annotations.geojson").read_text())
    per_image = {}  # the loader numbers each image's annotations in document order
    for feature in geojson["features"]:
        per_image.setdefault(feature["properties"]["image_id"], []).append(shape(feature["geometry"]))
    checked = 0
    for saved in sorted(out.glob("batch-*.json")):
        for patch in json.loads(saved.read_text())["patches"]:
            assert patch["augmentation"] == {"crop_origin": [0, 0, 0], "flip_x": False, "flip_y": False, "quarter_turns": 0}
            _, y0, x0 = patch["origin"]
            window = box(x0, y0, x0 + 128, y0 + 128)
            expected = {i for i, geom in enumerate(per_image.get(patch["image"], [])) if geom.intersection(window).area > 0}
            got = {a["annotation"] for a in patch["annotations"]}
            assert got == expected, patch["image"]
            for annotation in patch["annotations"]:
                for ring in annotation["polygon"]:
                    assert all(-1e-9 <= x <= 128 + 1e-9 and -1e-9 <= y <= 128 + 1e-9 for x, y in ring)
            checked += 1
    assert checked == 16


@pytest.fixture(scope="module")
def served(images):
    """A real nginx serving the images folder on 127.0.0.1 (range requests on), stopped after the module."""
    with NginxServer(images, probe="img0.zarr/zarr.json") as server:
        yield server.url


def test_images_over_http_give_the_same_batches_with_reads_ahead(mifa, images, served):
    """The loader reads OME-Zarr images over HTTP (range requests, a real nginx): the same batches as
    from the directory, with the read stage on (the default for HTTP) or off."""
    args = ["--patch", "48,40", "--batch", "8", "--samples", "60", "--seed", "9", "--label", "cells"]
    local = bench(mifa, *[images / f"img{i}.zarr" for i in range(3)], *args)
    remote = bench(mifa, *[f"{served}/img{i}.zarr" for i in range(3)], *args)
    remote_off = bench(mifa, *[f"{served}/img{i}.zarr" for i in range(3)], *args, "--read-ahead", "0")
    # Over HTTP the read stage sizes itself: some reads in flight, at most its limit.
    assert local["read_ahead"] == 0 and remote["read_ahead"] > 0 and remote_off["read_ahead"] == 0
    assert 0 < remote["most_reads_in_flight"] <= remote["read_ahead"] and local["most_reads_in_flight"] == 0
    assert remote["chunks_read_ahead"] > 0 and local["chunks_read_ahead"] == 0
    assert local["digest"] == remote["digest"] == remote_off["digest"]


def test_read_ahead_the_budget_cannot_hold_is_refused_or_said(mifa, images, served):
    """A budget with no room for a chunk read ahead turns the reads ahead off: an explicit
    --read-ahead is then refused (exit 1, naming the budget that would do), the default for images
    over HTTP is kept off with a note; a budget that large reads ahead again."""
    # Three batches of 8 patches of 256x256 (uint16 image and mask) take 6 MiB: a 7 MiB budget
    # holds them, but not the room for a chunk read ahead.
    args = ["--patch", "256,256", "--batch", "8", "--samples", "16", "--seed", "9", "--label", "cells", "--json"]
    urls = [f"{served}/img{i}.zarr" for i in range(3)]
    tight = mifa("bench", *urls, *args, "--budget-mb", "7", "--read-ahead", "8", check=False)
    assert tight.returncode == 1 and "read-ahead of 8 chunks cannot be honoured" in tight.stderr, tight.stderr
    needed = -(-int(re.search(r"give a budget of at least (\d+) bytes", tight.stderr).group(1)) // (1 << 20))
    assert needed > 7
    default = mifa("bench", *urls, *args, "--budget-mb", "7", check=False)
    assert default.returncode == 0 and "no room to read chunks ahead" in default.stderr, default.stderr
    assert json.loads(default.stdout)["read_ahead"] == 0
    enough = mifa("bench", *urls, *args, "--budget-mb", str(needed), "--read-ahead", "8", check=False)
    assert enough.returncode == 0 and json.loads(enough.stdout)["read_ahead"] == 8, enough.stderr


def test_hostile_numbers_are_refused_not_trapped_or_slept_on(mifa, images):
    # A patch whose bytes overflow a 64-bit product: a clear refusal, never a trap.
    for patch in ("2000000000,2000000000", "3000000000,3000000000,3000000000", "9223372036854775807,2"):
        proc = mifa("bench", images, "--patch", patch, "--samples", "4", check=False, timeout=60)
        assert proc.returncode in (1, 2), f"--patch {patch}: exit {proc.returncode}\n{proc.stderr}"
        assert "patch" in proc.stderr and ("address" in proc.stderr or "budget" in proc.stderr), proc.stderr
    for step in ("inf", "nan", "-1", "1e300", "-inf"):
        proc = mifa("bench", images, "--patch", "32,32", "--samples", "4", "--step-ms", step, check=False, timeout=60)
        assert proc.returncode == 2 and "--step-ms" in proc.stderr, f"--step-ms {step}: {proc.stderr}"
    proc = mifa("bench", images, "--patch", "32,32", "--budget-mb", "9223372036854775807", check=False, timeout=60)
    assert proc.returncode == 2 and "--budget-mb" in proc.stderr
    proc = mifa("bench", images, "--patch", "32,32", "--samples", "4", "--read-ahead", "9223372036854775807", check=False, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr


def test_a_damaged_image_is_reported_with_its_cause(mifa, images, tmp_path):
    import shutil
    folder = tmp_path / "damaged"
    shutil.copytree(images / "img0.zarr", folder / "img0.zarr")
    for array in (folder / "img0.zarr").rglob("zarr.json"):
        metadata = json.loads(array.read_text())
        if metadata.get("node_type") == "array":
            metadata["shape"] = [2 ** 62] * len(metadata["shape"])
            array.write_text(json.dumps(metadata))
    for target in (folder / "img0.zarr", folder):
        proc = mifa("bench", target, "--patch", "32,32", check=False, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "not an OME-Zarr" not in proc.stderr and "zarr.json" in proc.stderr, proc.stderr


def test_missing_patch_list_and_save_batches_onto_a_file_are_clear(mifa, images, tmp_path):
    missing = tmp_path / "nowhere.json"
    proc = mifa("bench", images, "--patch", "32,32", "--patch-list", missing, check=False, timeout=60)
    assert proc.returncode == 1 and f"--patch-list {missing}: no such file" in proc.stderr, proc.stderr
    assert "InvalidInput" not in proc.stderr
    occupied = tmp_path / "occupied"
    occupied.write_text("not a folder")
    proc = mifa("bench", images, "--patch", "32,32", "--samples", "4", "--save-batches", occupied, check=False, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "exists and is not a folder" in proc.stderr and "NSCocoaErrorDomain" not in proc.stderr, proc.stderr
    assert occupied.read_text() == "not a folder"
