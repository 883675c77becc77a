"""`mifa pack` through the reference tools: the package opens with zarr-python (root group, every
image array) and ome-zarr-py (every image and its labels) pixel for pixel, `mifa validate` accepts
it, and SIGKILL at random points never leaves a partial package."""
import hashlib
import json
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import tifffile
import zarr

from omezarr_helpers import read_levels_with_ome_zarr_py

METADATA = """\
study:
  title: Synthetic nuclei for the pack interop test
  description: Fluorescence images of nuclei made to test packaging for nuclear segmentation.
  keywords: [nucleus, segmentation]
  license: CC-BY-4.0
  funding_statement: No funding.
  link_url: [https://example.org/nuclei]
annotations:
  - annotation_overview: Instance masks of nuclei
    annotation_type: [segmentation_mask]
    annotation_method: Drawn by hand.
    annotation_source_indicator: file_name_pattern
    authors:
      - author_first_name: Ada
        author_last_name: Lovelace
        orcid_id: 0000-0002-1825-0097
  - annotation_overview: Nucleus outlines
    annotation_type: [geometrical_annotations]
    annotation_method: Traced in QuPath.
    annotation_source_indicator: file_name_exact_match
    authors:
      - author_first_name: Grace
        author_last_name: Hopper
version:
  version: "1"
  timestamp: 2024-01-01T00:00:00Z
"""


def make_source(folder: Path, count: int, size: int, seed: int = 3):
    """`count` uint16 images with instance masks (`<name>_mask.tif`) and one GeoJSON outline each."""
    rng = np.random.default_rng(seed)
    images, masks = {}, {}
    for i in range(count):
        name = f"cell{i:03d}"
        image = rng.integers(0, 4000, size=(size, size), dtype=np.uint16)
        mask = np.zeros((size, size), dtype=np.uint16)
        features = []
        for k in range(1, 6):
            y, x = rng.integers(0, size - 20, size=2)
            side = int(rng.integers(6, 18))
            mask[y:y + side, x:x + side] = k
            image[y:y + side, x:x + side] += 5000
            ring = [[int(x), int(y)], [int(x + side), int(y)], [int(x + side), int(y + side)], [int(x), int(y + side)], [int(x), int(y)]]
            features.append({"type": "Feature", "id": f"{name}-{k}", "geometry": {"type": "Polygon", "coordinates": [ring]},
                             "properties": {"objectType": "annotation"}})
        (folder / "images").mkdir(parents=True, exist_ok=True)
        (folder / "outlines").mkdir(exist_ok=True)
        tifffile.imwrite(folder / "images" / f"{name}.tif", image)
        tifffile.imwrite(folder / "images" / f"{name}_mask.tif", mask)
        (folder / "outlines" / f"{name}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        images[name], masks[name] = image, mask
    (folder.parent / "mifa.yaml").write_text(METADATA)
    return images, masks


def check_complete(package: Path):
    """A complete package: root group, manifest whose every file is there with its digest, nothing unlisted."""
    assert zarr.open_group(str(package), mode="r").attrs["mifa"]["format"] == "mifa-package"
    manifest = json.loads((package / "manifest.json").read_text())
    for path, entry in manifest["files"].items():
        data = (package / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
    listed = set(manifest["files"])
    on_disk = {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file()}
    content = {p for p in on_disk if p == "zarr.json" or p == "mifa.json" or p.startswith(("images/", "annotations/"))}
    assert content == listed
    assert (package / "versions" / f"{manifest['version']}.json").exists()


def test_pack_opens_with_zarr_python_and_ome_zarr_py(mifa, tmp_path):
    source = tmp_path / "source"
    images, masks = make_source(source, count=4, size=300)
    package = tmp_path / "pkg"
    _, summary = mifa("pack", source, package, "--metadata", tmp_path / "mifa.yaml", "--changes", "First", "--json", parse_json=True)
    assert summary["images"] == 4 and summary["label_images"] == 4
    assert summary["annotation_sets"] == ["set1", "set2"]
    assert summary["unmatched"] == []
    assert summary["objects"] == sum(len(np.unique(m)) - 1 for m in masks.values()) + 4 * 5
    check_complete(package)

    root = zarr.open_group(str(package), mode="r")
    assert root.attrs["mifa"]["format"] == "mifa-package" and root.attrs["mifa"]["version"] == "2"
    assert sorted(root["images"].group_keys()) == sorted(images)
    for name, image in images.items():
        array = zarr.open_array(str(package / "images" / name / "0"), mode="r")
        np.testing.assert_array_equal(array[...], image)
        np.testing.assert_array_equal(root[f"images/{name}/0"][...], image)
        nodes = read_levels_with_ome_zarr_py(package / "images" / name)
        np.testing.assert_array_equal(nodes["image"][0][0], image)
        assert len(nodes["image"][0]) == 2  # 300 > 256: a pyramid
        np.testing.assert_array_equal(nodes["set1"][0][0], masks[name])

    outlines = json.loads((package / "annotations" / "set2" / "annotations.geojson").read_text())
    assert {f["properties"]["image_id"] for f in outlines["features"]} == set(images)
    assert len(outlines["features"]) == 4 * 5
    mifa("validate", package)
    metadata = json.loads((package / "mifa.json").read_text())
    assert [image["id"] for image in metadata["images"]] == sorted(images)
    assert metadata["version"]["changes"] == "First"


def test_pack_refuses_bad_input_and_writes_nothing(mifa, tmp_path):
    source = tmp_path / "source"
    make_source(source, count=2, size=64)
    (tmp_path / "list.tsv").write_text("Files\tSource image\nimages/nope_mask.tif\timages/cell000.tif\n")
    proc = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "mifa.yaml", "--file-list", tmp_path / "list.tsv", check=False)
    assert proc.returncode == 1
    assert "images/nope_mask.tif" in proc.stderr and "line 2" in proc.stderr
    (tmp_path / "bad.yaml").write_text("study:\n  title: only a title\nannotations: []\n")
    proc = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "bad.yaml", check=False)
    assert proc.returncode == 1 and "does not validate" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "list.tsv", "mifa.yaml", "source"]


def test_sigkill_never_leaves_a_partial_package(mifa, mifa_bin, tmp_path):
    source = tmp_path / "source"
    make_source(source, count=16, size=256)
    metadata = tmp_path / "mifa.yaml"
    target = tmp_path / "out" / "pkg"
    target.parent.mkdir()
    args = [mifa_bin, "pack", str(source), str(target), "--metadata", str(metadata)]
    start = time.monotonic()
    subprocess.run(args, check=True, capture_output=True)
    duration = time.monotonic() - start
    check_complete(target)
    shutil.rmtree(target)

    rng = random.Random(11)
    budget = time.monotonic() + 35
    outcomes = {"absent": 0, "complete": 0}
    runs = 0
    while runs < 30 and time.monotonic() < budget:
        runs += 1
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if target.exists():
            check_complete(target)
            outcomes["complete"] += 1
            shutil.rmtree(target)
        else:
            outcomes["absent"] += 1
    print(f"SIGKILL: {runs} runs over {duration:.2f} s packs: {outcomes}")
    assert runs >= 10
    # The next pack succeeds and removes the staging folders the killed runs left.
    subprocess.run(args, check=True, capture_output=True)
    check_complete(target)
    mifa("validate", target)
    assert [p.name for p in target.parent.iterdir()] == ["pkg"]
    assert outcomes["absent"] > 0


def nodes_of(group):
    """Every node below `group`: path -> (kind, attributes, and for arrays shape, dtype and chunks)."""
    result = {}
    for path, node in group.members(max_depth=None):
        described = ("array", node.shape, str(node.dtype), node.chunks) if isinstance(node, zarr.Array) else ("group",)
        result[path] = described + (dict(node.attrs),)
    return result


def test_the_root_carries_consolidated_metadata_that_zarr_python_reads_as_the_nodes(mifa, tmp_path):
    """`mifa pack` writes the metadata of every node into the root zarr.json (zarr-python 3's inline
    consolidated metadata): zarr-python opening the root with it sees exactly the arrays and
    attributes it sees reading each node's own zarr.json, and ome-zarr-py still reads the images.
    An image whose zarr.json no longer says what the consolidated metadata says is reported by
    `mifa audit` (consolidated-metadata-stale), saying how to fix it."""
    source = tmp_path / "source"
    images, masks = make_source(source, count=3, size=40)
    package = tmp_path / "pkg"
    mifa("pack", source, package, "--metadata", tmp_path / "mifa.yaml", "--changes", "First")
    document = json.loads((package / "zarr.json").read_text())
    consolidated = document["consolidated_metadata"]
    assert consolidated["kind"] == "inline" and "images/cell000/0" in consolidated["metadata"]
    with_metadata = zarr.open_group(str(package), mode="r", use_consolidated=True)
    assert with_metadata.metadata.consolidated_metadata is not None
    without = zarr.open_group(str(package), mode="r", use_consolidated=False)
    assert without.metadata.consolidated_metadata is None
    assert nodes_of(with_metadata) == nodes_of(without)
    assert {f"images/{name}/labels/set1/0" for name in images} <= set(nodes_of(with_metadata))
    for name, image in images.items():
        np.testing.assert_array_equal(with_metadata[f"images/{name}/0"][...], image)
        nodes = read_levels_with_ome_zarr_py(package / "images" / name)
        np.testing.assert_array_equal(nodes["set1"][0][0], masks[name])
    _, report = mifa("audit", package, "--json", parse_json=True)
    assert not [f for f in report["findings"] if f["code"] == "consolidated-metadata-stale"], report["findings"]

    node = package / "images" / "cell001" / "zarr.json"
    edited = json.loads(node.read_text())
    edited["attributes"]["note"] = "edited by hand"
    node.write_text(json.dumps(edited))
    proc, report = mifa("audit", package, "--json", parse_json=True, check=False)
    stale = [f for f in report["findings"] if f["code"] == "consolidated-metadata-stale"]
    assert proc.returncode == 1 and len(stale) == 1, report["findings"]
    assert stale[0]["path"] == "zarr.json" and "images/cell001" in stale[0]["message"] and "mifa version" in stale[0]["message"], stale
