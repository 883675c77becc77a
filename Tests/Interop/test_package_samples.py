"""Issue 6's acceptance on the real samples: a package built from each sample dataset validates,
audits clean, opens with zarr-python (root group) and ome-zarr-py (every image, with its labels,
pixel-exact against the source files), and its Croissant description passes mlcroissant."""
import json
from pathlib import Path

import mlcroissant as mlc
import numpy as np
import pytest
import tifffile
import zarr
from ome_zarr.io import parse_url
from ome_zarr.reader import Reader
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "Samples"


@pytest.fixture(scope="module", params=["nuclei", "timelapse"])
def sample_package(request, mifa, tmp_path_factory):
    name = request.param
    source = SAMPLES / name
    if not (source / "images").exists():
        pytest.fail("the samples are not generated: run `make samples`")
    package = tmp_path_factory.mktemp(name) / f"{name}.mifa"
    mifa("pack", source, package, "--metadata", source / "mifa.yaml", "--file-list", source / "files.tsv")
    return name, source, package


def read_source_image(path: Path) -> np.ndarray:
    return tifffile.imread(path) if path.suffix in (".tif", ".tiff") else np.asarray(Image.open(path))


def test_package_validates_and_audits_clean(mifa, sample_package):
    _, _, package = sample_package
    mifa("validate", package)
    _, report = mifa("audit", package, "--json", "--strict", parse_json=True)
    errors = [f for f in report["findings"] if f["severity"] in ("error", "warning")]
    assert not errors, errors


def test_root_group_and_every_image_open_in_zarr_python(sample_package):
    _, source, package = sample_package
    root = zarr.open_group(package, mode="r")
    assert root.attrs["mifa"]["format"] == "mifa-package"
    metadata = json.loads((package / "mifa.json").read_text())
    image_ids = sorted(p.name for p in (package / "images").iterdir() if p.is_dir())
    assert image_ids == sorted(image["id"] for image in metadata["images"])
    for image_id in image_ids:
        group = zarr.open_group(package / "images" / image_id, mode="r")
        level0 = group[group.attrs["ome"]["multiscales"][0]["datasets"][0]["path"]][:]
        candidates = sorted((source / "images").glob(f"{image_id}.*"))
        assert candidates, image_id
        expected = read_source_image(candidates[0])
        assert np.array_equal(np.squeeze(level0), np.squeeze(expected)), image_id


def test_every_image_and_label_opens_in_ome_zarr_py(sample_package):
    _, _, package = sample_package
    for image_dir in sorted(p for p in (package / "images").iterdir() if p.is_dir()):
        nodes = [node for node in Reader(parse_url(str(image_dir)))() if node.data]
        assert nodes, image_dir
        image_node = nodes[0]
        assert len(image_node.data) >= 1
        labels_dir = image_dir / "labels"
        if labels_dir.exists():
            label_nodes = [n for n in nodes if "/labels/" in n.zarr.path]
            assert label_nodes, f"{image_dir}: labels not found by ome-zarr-py"
            for node in label_nodes:
                assert tuple(node.data[0].shape)[-2:] == tuple(image_node.data[0].shape)[-2:]


def test_croissant_passes_mlcroissant(mifa, sample_package, tmp_path):
    _, _, package = sample_package
    out = tmp_path / "croissant.json"
    mifa("export", package, "--to", "croissant", out)
    dataset = mlc.Dataset(jsonld=str(out))
    assert not dataset.metadata.issues.errors, dataset.metadata.issues.report()
    manifest = json.loads((package / "manifest.json").read_text())
    digests = {f.id: f.sha256 for f in dataset.metadata.distribution if isinstance(f, mlc.FileObject)}
    assert digests["mifa.json"] == manifest["files"]["mifa.json"]["sha256"]
