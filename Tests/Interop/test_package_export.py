"""`mifa export`: the zip opens in zarr-python's ZipStore, COCO loads in pycocotools with the
package's masks, GeoJSON reads in shapely, Croissant passes mlcroissant, old versions come out bit
for bit."""
import hashlib
import json
import zipfile

import mlcroissant as mlc
import numpy as np
import pytest
import shapely.geometry
import zarr
from pycocotools.coco import COCO

from package_helpers import build_package, cells_geojson, commit_version, image_pixels, nuclei_mask


@pytest.fixture(scope="module")
def package(tmp_path_factory, mifa):
    base = tmp_path_factory.mktemp("export")
    return build_package(mifa, base / "pkg", base / "work")


def test_zip_opens_in_zarr_python(mifa, package, tmp_path):
    out = tmp_path / "pkg.zip"
    mifa("export", package, "--to", "zip", out)
    with zipfile.ZipFile(out) as archive:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        assert "manifest.json" in archive.namelist()
    root = zarr.open_group(store=zarr.storage.ZipStore(out, mode="r"), mode="r")
    assert root.attrs["mifa"] == {"format": "mifa-package", "version": "1"}
    np.testing.assert_array_equal(root["images/img1/0"][:], image_pixels(1))
    np.testing.assert_array_equal(root["images/img2/0"][:], image_pixels(5))
    np.testing.assert_array_equal(root["images/img1/labels/nuclei/0"][:], nuclei_mask())
    assert "multiscales" in root["images/img1"].attrs["ome"]
    # Our own zip store reads it in place too.
    info = json.loads(mifa("zarr", "info", f"{out}/images/img1/0", "--json").stdout)
    assert info["shape"] == [64, 64]
    proc = mifa("export", package, "--to", "zip", out, check=False)
    assert proc.returncode == 1 and "already exists" in proc.stderr


def test_coco_of_the_label_set_matches_the_masks(mifa, package, tmp_path):
    out = tmp_path / "nuclei.json"
    mifa("export", package, "--to", "coco", out, "--set", "nuclei")
    coco = COCO(str(out))
    [image] = coco.loadImgs(coco.getImgIds())
    assert image["file_name"] == "images/img1" and image["mifa_id"] == "img1"
    assert (image["width"], image["height"]) == (64, 64)
    masks = [coco.annToMask(a) for a in coco.loadAnns(coco.getAnnIds())]
    expected = nuclei_mask()
    assert len(masks) == 3
    assert sorted(int(m.sum()) for m in masks) == sorted(int((expected == v).sum()) for v in (1, 2, 3))
    assert np.array_equal(sum(masks) > 0, expected > 0)


def test_coco_of_the_vector_set_keeps_the_package_images(mifa, package, tmp_path):
    out = tmp_path / "cells.json"
    mifa("export", package, "--to", "coco", out, "--set", "cells")
    coco = COCO(str(out))
    images = {image["id"]: image for image in coco.loadImgs(coco.getImgIds())}
    assert sorted((i["mifa_id"], i["file_name"]) for i in images.values()) == [("img1", "images/img1"), ("img2", "images/img2")]
    per_image = sorted((images[a["image_id"]]["mifa_id"], a["area"]) for a in coco.loadAnns(coco.getAnnIds()))
    assert per_image == [("img1", 64.0), ("img2", 36.0), ("img2", 100.0)]
    assert all(coco.annToMask(a).sum() == a["area"] for a in coco.loadAnns(coco.getAnnIds()))


def test_geojson_reads_in_shapely(mifa, package, tmp_path):
    out = tmp_path / "cells.geojson"
    mifa("export", package, "--to", "geojson", out, "--set", "cells")
    collection = json.loads(out.read_text())
    shapes = [shapely.geometry.shape(f["geometry"]) for f in collection["features"]]
    assert all(s.is_valid for s in shapes)
    assert sorted(s.area for s in shapes) == sorted(shapely.geometry.shape(f["geometry"]).area for f in cells_geojson()["features"])
    assert [f["properties"]["image_id"] for f in collection["features"]] == ["img1", "img2", "img2"]
    assert [i["file_name"] for i in collection["mifa:images"]] == ["images/img1", "images/img2"]


def test_two_sets_need_a_choice(mifa, package, tmp_path):
    proc = mifa("export", package, "--to", "coco", tmp_path / "x.json", check=False)
    assert proc.returncode == 1 and "--set" in proc.stderr
    assert not (tmp_path / "x.json").exists()


def test_croissant_passes_mlcroissant(mifa, package, tmp_path):
    out = tmp_path / "croissant.json"
    mifa("export", package, "--to", "croissant", out)
    dataset = mlc.Dataset(jsonld=str(out))
    metadata = dataset.metadata
    assert not metadata.issues.errors, metadata.issues.report()
    assert not metadata.issues.warnings, metadata.issues.report()
    assert metadata.name == "Tiny nuclei"
    manifest = json.loads((package / "manifest.json").read_text())
    digests = {f.id: f.sha256 for f in metadata.distribution if isinstance(f, mlc.FileObject)}
    assert digests["mifa.json"] == manifest["files"]["mifa.json"]["sha256"]
    assert digests["annotations/cells/annotations.geojson"] == manifest["files"]["annotations/cells/annotations.geojson"]["sha256"]
    images = list(dataset.records("images"))
    assert sorted(r["images/image_id"].decode() if isinstance(r["images/image_id"], bytes) else r["images/image_id"] for r in images) == ["img1", "img2"]


def test_croissant_records_load_where_it_is_written(mifa, package, tmp_path):
    """Written outside the package (where the audit does not mind it), the description loads its
    records; its url is the package folder, not a link of the study."""
    out = tmp_path / "deeper" / "croissant.json"
    out.parent.mkdir()
    mifa("export", package, "--to", "croissant", out)
    assert json.loads(out.read_text())["url"].rstrip("/") == package.resolve().as_uri()
    dataset = mlc.Dataset(jsonld=str(out))
    cells = list(dataset.records("annotations/cells"))
    assert [r["annotations/cells/image_id"] for r in cells] == [b"img1", b"img2", b"img2"]
    assert [r["annotations/cells/geometry_type"] for r in cells] == [b"Polygon"] * 3
    assert [list(map(list, r["annotations/cells/coordinates"][0])) for r in cells] == [
        [[float(x), float(y)] for x, y in f["geometry"]["coordinates"][0]] for f in cells_geojson()["features"]]
    labels = list(dataset.records("labels/nuclei"))
    assert [r["labels/nuclei/path"] for r in labels] in (["images/img1/labels/nuclei"], [b"images/img1/labels/nuclei"])


def test_old_version_exports_bit_for_bit(mifa, package, tmp_path):
    import shutil
    root = tmp_path / "pkg"
    shutil.copytree(package, root)
    first = json.loads((root / "manifest.json").read_text())["files"]
    commit_version(root, "2", "2026-02-01T00:00:00Z", "images/img2/0/c/0/0", b"replaced chunk")
    out = tmp_path / "v1.zip"
    mifa("export", root, "--to", "zip", out, "--version", "1")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == sorted(first)
        for name, entry in first.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
    proc = mifa("export", root, "--to", "zip", tmp_path / "v9.zip", "--version", "9", check=False)
    assert proc.returncode == 1 and "no version '9'" in proc.stderr
