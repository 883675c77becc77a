"""The sample datasets (Samples/generate_samples.py): reproducible to the byte, raster and vector
annotations agreeing exactly (pycocotools for COCO, shapely for GeoJSON), Cell Tracking Challenge
ground truth valid for py-ctcmetrics and readable by `mifa convert`, and their metadata and file lists
describing exactly the generated files and valid for `mifa validate`.

The data are generated into a temporary folder by the test itself; the committed metadata
(Samples/*/mifa.yaml, files.tsv) are checked against that."""
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
import shapely
import tifffile
import yaml
from PIL import Image
from pycocotools import mask as mask_util
from pycocotools.coco import COCO
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "Samples"
GENERATOR = SAMPLES / "generate_samples.py"
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # pycocotools 2.0.11 on numpy 2


def generate(out: Path) -> Path:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, timeout=300)
    return out


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("samples"))


def file_list(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def labels_of(path: Path) -> np.ndarray:
    labels = tifffile.imread(path)
    assert labels.dtype == np.uint16
    return labels


# ----------------------------------------------------------------------------- reproducibility

def test_regenerating_gives_identical_bytes(generated, tmp_path):
    first = tree_digest(generated)
    again = tree_digest(generate(tmp_path / "again"))
    assert first == again
    generate(generated)  # writing over an existing tree changes nothing either
    assert tree_digest(generated) == first
    assert len(first) == 6 + 5 + 1 + 4 + 1 + 24 + 1


# ----------------------------------------------------------------------------- (a) nuclei

def test_nuclei_images_look_like_widefield_fluorescence(generated):
    nuclei = generated / "nuclei"
    for n in range(1, 6):
        with tifffile.TiffFile(nuclei / "images" / f"IM{n}.tif") as tif:
            assert tif.is_imagej and tif.imagej_metadata["unit"] == "um"
            numerator, denominator = tif.pages[0].tags["XResolution"].value
            assert abs(denominator / numerator - 0.1625) < 1e-6  # pixel size in um
            image = tif.asarray()
        assert image.shape == (512, 512) and image.dtype == np.uint16
        labels = labels_of(nuclei / "masks" / f"IM{n}.tif")
        inside, outside = image[labels > 0].astype(float), image[labels == 0].astype(float)
        assert inside.mean() > 5 * outside.mean()  # nuclei stand out of the background
        assert outside.std() > 3  # noise, not a flat background
        sizes = np.bincount(labels.ravel())[1:]
        assert sizes.min() >= 60 and sizes.max() > 2 * sizes.min()  # varied sizes
        brightness = np.array([image[labels == v].mean() for v in range(1, labels.max() + 1)])
        assert brightness.max() > 2 * brightness.min()  # varied brightness
    png = np.asarray(Image.open(nuclei / "images" / "IM6.png"))
    assert png.shape == (512, 512) and png.dtype == np.uint16 and png.max() > 1000


def test_masks_have_one_id_per_nucleus_and_touching_nuclei(generated):
    touching = 0
    for n in range(1, 6):
        labels = labels_of(generated / "nuclei" / "masks" / f"IM{n}.tif")
        values = np.unique(labels)
        assert list(values) == list(range(int(labels.max()) + 1))  # 0 and 1..n, no gaps
        assert 20 <= labels.max() <= 60
        right = (labels[:, 1:] != labels[:, :-1]) & (labels[:, 1:] > 0) & (labels[:, :-1] > 0)
        down = (labels[1:] != labels[:-1]) & (labels[1:] > 0) & (labels[:-1] > 0)
        touching += int(right.sum() + down.sum())
    assert touching > 0


def test_coco_polygons_decode_to_the_masks(generated):
    nuclei = generated / "nuclei"
    coco = COCO(str(nuclei / "coco" / "instances.json"))
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["nucleus"]
    images = coco.loadImgs(coco.getImgIds())
    assert [i["file_name"] for i in images] == [f"IM{n}.tif" for n in range(1, 6)]
    for info in images:
        labels = labels_of(nuclei / "masks" / info["file_name"])
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[info["id"]]))
        assert len(anns) == labels.max()
        for value, ann in enumerate(anns, start=1):
            assert ann["iscrowd"] == 0 and len(ann["segmentation"]) == 1
            decoded = coco.annToMask(ann).astype(bool)
            assert np.array_equal(decoded, labels == value), (info["file_name"], value)
            rle = mask_util.encode(np.asfortranarray(decoded.astype(np.uint8)))
            assert ann["area"] == int(mask_util.area(rle)) == int(decoded.sum())
            assert ann["bbox"] == [float(v) for v in mask_util.toBbox(rle)]


def pixel_squares_of(geometry, height: int, width: int) -> np.ndarray:
    """Pixels whose centre lies inside `geometry` (exact for polygons with integer corners)."""
    ys, xs = np.mgrid[0:height, 0:width]
    return shapely.contains_xy(geometry, xs + 0.5, ys + 0.5)


def test_geojson_objects_are_the_mask_objects(generated):
    nuclei = generated / "nuclei"
    object_types = set()
    for n in range(1, 5):
        labels = labels_of(nuclei / "masks" / f"IM{n}.tif")
        document = json.loads((nuclei / "geojson" / f"IM{n}.geojson").read_text(encoding="utf-8"))
        assert document["type"] == "FeatureCollection"
        features = document["features"]
        assert len(features) == labels.max()
        assert len({f["id"] for f in features}) == len(features)
        for feature in features:
            uuid.UUID(feature["id"])
            props = feature["properties"]
            object_types.add(props["objectType"])
            assert props["objectType"] in ("annotation", "detection")
            assert props["classification"]["name"] == "Nucleus" and len(props["classification"]["color"]) == 3
            value = props["measurements"]["Label"]
            geometry = shape(feature["geometry"])
            assert geometry.is_valid
            polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
            for polygon in polygons:  # RFC 7946 winding: outer counter-clockwise (positive area), holes clockwise
                assert all(not shapely.is_ccw(hole) for hole in polygon.interiors)
                ring = np.array(polygon.exterior.coords)
                assert np.array_equal(ring[0], ring[-1]) and np.all(ring == np.round(ring))
                signed = 0.5 * np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1])
                assert signed > 0
            mask = labels == value
            assert geometry.area == mask.sum() == props["measurements"]["Area px^2"]
            minx, miny, maxx, maxy = (int(v) for v in geometry.bounds)
            window = pixel_squares_of(geometry, maxy, maxx)[miny:, minx:]
            assert np.array_equal(window, mask[miny:maxy, minx:maxx]) and not mask[:miny].any() and not mask[maxy:].any()
    assert object_types == {"annotation", "detection"}


def test_nuclei_file_list_and_metadata_describe_the_generated_files(generated, mifa):
    nuclei = generated / "nuclei"
    rows = file_list(SAMPLES / "nuclei" / "files.tsv")
    listed = {row["Files"] for row in rows}
    produced = {str(p.relative_to(nuclei)) for p in nuclei.rglob("*") if p.is_file()}
    assert listed == produced
    for row in rows:
        for source in filter(None, (s.strip() for s in row["Source image"].split(","))):
            assert source in listed and source.startswith("images/")
    metadata = yaml.safe_load((SAMPLES / "nuclei" / "mifa.yaml").read_text(encoding="utf-8"))
    image_ids = [image["id"] for image in metadata["images"]]
    image_files = sorted(p for p in listed if p.startswith("images/"))
    assert image_ids == [Path(p).stem for p in image_files]  # id = file name without extension
    assert [image["name"] for image in metadata["images"]] == [Path(p).name for p in image_files]
    annotated = {}
    for annotation_set in metadata["annotations"]:
        for entry in annotation_set["file_metadata"]:
            path = entry["annotation_id"].split("#")[0]
            assert path in listed, entry["annotation_id"]
            row = next(r for r in rows if r["Files"] == path)
            assert f"images/{entry['source_image_id']}.tif" in row["Source image"]
            annotated.setdefault(path.split("/")[0], set()).add(entry["source_image_id"])
    assert annotated == {"masks": {"IM1", "IM2", "IM3", "IM4", "IM5"}, "coco": {"IM1", "IM2", "IM3", "IM4", "IM5"},
                         "geojson": {"IM1", "IM2", "IM3", "IM4"}}
    proc, report = mifa("validate", SAMPLES / "nuclei" / "mifa.yaml", "--json", parse_json=True)
    assert report["valid"] is True and report["counts"]["errors"] == 0 and report["counts"]["warnings"] == 0, report["issues"]
    orcids = {a["orcid_id"] for s in report["document"]["annotations"] for a in s["authors"]}
    assert orcids == {"0000-0003-1234-5674", "0000-0001-5109-3671", "0000-0002-9079-593X"}
    assert report["document"]["study"]["license"] == "CC-BY-4.0"


# ----------------------------------------------------------------------------- (b) time-lapse

def read_tracks(path: Path) -> dict[int, tuple[int, int, int]]:
    tracks = {}
    for line in path.read_text(encoding="ascii").splitlines():
        label, begin, end, parent = (int(v) for v in line.split())
        assert label not in tracks
        tracks[label] = (begin, end, parent)
    return tracks


def test_timelapse_is_an_imagej_hyperstack(generated):
    with tifffile.TiffFile(generated / "timelapse" / "images" / "TL1.tif") as tif:
        assert tif.is_imagej and tif.series[0].axes == "TYX"
        assert tif.imagej_metadata["finterval"] == 300.0 and tif.imagej_metadata["unit"] == "um"
        stack = tif.asarray()
    assert stack.shape == (24, 256, 256) and stack.dtype == np.uint16


def test_ctc_tracks_are_consistent(generated):
    tra = generated / "timelapse" / "TL1_GT" / "TRA"
    tracks = read_tracks(tra / "man_track.txt")
    frames = [labels_of(tra / f"man_track{t:03d}.tif") for t in range(24)]
    stack = tifffile.imread(generated / "timelapse" / "images" / "TL1.tif")
    for t, labels in enumerate(frames):
        alive = {label for label, (b, e, _) in tracks.items() if b <= t <= e}
        assert set(np.unique(labels)) - {0} == alive, t
        assert stack[t][labels > 0].mean() > 5 * stack[t][labels == 0].mean()
    children = [label for label, (_, _, parent) in tracks.items() if parent]
    assert len(children) >= 2
    for child in children:
        begin, _, parent = tracks[child]
        assert tracks[parent][1] == begin - 1  # the mother ends the frame before her daughters start
        assert sum(1 for _, _, p in tracks.values() if p == parent) == 2
    first = {label: np.argwhere(frames[tracks[label][0]] == label).mean(axis=0) for label in tracks}
    last = {label: np.argwhere(frames[tracks[label][1]] == label).mean(axis=0) for label in tracks}
    assert max(np.hypot(*(last[k] - first[k])) for k in tracks) > 10  # cells move


def test_ctc_ground_truth_passes_py_ctcmetrics(generated, tmp_path):
    from ctc_metrics.scripts.validate import validate_sequence
    tra = generated / "timelapse" / "TL1_GT" / "TRA"
    res = tmp_path / "RES"
    res.mkdir()
    shutil.copy(tra / "man_track.txt", res / "res_track.txt")
    for t in range(24):
        shutil.copy(tra / f"man_track{t:03d}.tif", res / f"mask{t:03d}.tif")
    assert validate_sequence(str(res), threads=1) == {"Valid": 1}


def test_ctc_ground_truth_reads_in_mifa_convert(generated, mifa, tmp_path):
    tra = generated / "timelapse" / "TL1_GT"
    tracks = read_tracks(tra / "TRA" / "man_track.txt")
    frames = [labels_of(tra / "TRA" / f"man_track{t:03d}.tif") for t in range(24)]
    # napari tracks keep each object's centre only: lossy, hence --allow-lossy.
    proc, summary = mifa("convert", tra, tmp_path / "tracks.csv", "--from", "ctc", "--to", "napari-tracks-csv",
                         "--allow-lossy", "--json", parse_json=True)
    assert summary["tracks"] == len(tracks) and summary["images"] == 24
    with (tmp_path / "tracks.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == summary["annotations"] == sum(e - b + 1 for b, e, _ in tracks.values())
    for row in rows:
        label, t = int(row["track_id"]), int(row["t"])
        centre = np.argwhere(frames[t] == label).mean(axis=0)  # napari: pixel centres on integers
        assert np.allclose([float(row["y"]), float(row["x"])], centre)
        assert int(row["parent_track_id"]) == (tracks[label][2] or -1)
    back = tmp_path / "TRA"
    mifa("convert", tra, back, "--from", "ctc", "--to", "ctc")
    assert read_tracks(back / "man_track.txt") == tracks
    for t in range(24):
        assert np.array_equal(labels_of(back / f"man_track{t:03d}.tif"), frames[t])


def test_timelapse_file_list_and_metadata_describe_the_generated_files(generated, mifa):
    timelapse = generated / "timelapse"
    rows = file_list(SAMPLES / "timelapse" / "files.tsv")
    produced = {str(p.relative_to(timelapse)) for p in timelapse.rglob("*") if p.is_file()}
    assert {row["Files"] for row in rows} == produced
    for row in rows:
        if row["Frame"]:
            assert row["Files"] == f"TL1_GT/TRA/man_track{int(row['Frame']):03d}.tif"
    metadata = yaml.safe_load((SAMPLES / "timelapse" / "mifa.yaml").read_text(encoding="utf-8"))
    assert [image["id"] for image in metadata["images"]] == ["TL1"]
    entry, = metadata["annotations"][0]["file_metadata"]
    assert all(f.startswith(entry["annotation_id"] + "/") for f in produced if not f.startswith("images/"))
    tracks = read_tracks(timelapse / "TL1_GT" / "TRA" / "man_track.txt")
    divisions = len({p for _, _, p in tracks.values() if p})
    assert re.search(rf"\b{len(tracks)} tracks, {divisions} divisions\b", metadata["annotations"][0]["annotation_coverage"])
    proc, report = mifa("validate", SAMPLES / "timelapse" / "mifa.yaml", "--json", parse_json=True)
    assert report["valid"] is True and report["counts"]["errors"] == 0 and report["counts"]["warnings"] == 0, report["issues"]
