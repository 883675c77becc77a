"""Cell Tracking Challenge, napari and YOLO through MIFAKit and the reference tools (py-ctcmetrics,
scikit-image), bad input of every kind, and large inputs (a 20000x20000 sparse mask, a COCO file
with 100k annotations)."""
import json
import time

import numpy as np
import pytest
import tifffile
from ctc_metrics import evaluate_sequence, validate_sequence
from skimage.measure import regionprops

from annotations_helpers import write_json

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def make_lineage(rng, frames=14, height=72, width=90):
    """Discs on a grid of slots (so they never overlap) with divisions and one gap-closing link."""
    slots = [(18 + 36 * (s // 5 % 2), 9 + 18 * (s % 5)) for s in range(10)]
    masks = np.zeros((frames, height, width), np.uint16)
    tracks = []
    free = list(range(10))
    yy, xx = np.mgrid[0:height, 0:width]

    def add(begin, end, parent):
        slot = free.pop(0)
        label = len(tracks) + 1
        tracks.append([label, begin, end, parent])
        cy, cx = slots[slot]
        for t in range(begin, end + 1):
            dy, dx = rng.uniform(-2, 2, 2)
            r = rng.uniform(3, 6)
            masks[t][((yy - cy - dy) ** 2 + (xx - cx - dx) ** 2) <= r * r] = label
        return label

    a = add(0, 5, 0)
    add(6, frames - 1, a)            # division of a into two daughters
    add(6, 9, a)
    b = add(0, 3, 0)
    add(5, frames - 1, b)            # a gap: b is lost in frame 4 and found again with a new label
    add(2, frames - 1, 0)            # appears later
    return masks, np.array(tracks)


def write_ctc_ground_truth(root, masks, tracks):
    (root / "TRA").mkdir(parents=True)
    (root / "SEG").mkdir()
    np.savetxt(root / "TRA" / "man_track.txt", tracks, fmt="%d", delimiter=" ")
    for t, mask in enumerate(masks):
        tifffile.imwrite(root / "TRA" / f"man_track{t:03d}.tif", mask)
        tifffile.imwrite(root / "SEG" / f"man_seg{t:03d}.tif", mask)


def test_ctc_output_is_valid_and_scores_one_against_itself(mifa, tmp_path):
    rng = np.random.default_rng(11)
    masks, tracks = make_lineage(rng)
    gt = tmp_path / "01_GT"
    write_ctc_ground_truth(gt, masks, tracks)
    res = tmp_path / "01_RES"
    mifa("convert", gt, res, "--to", "ctc")
    assert sorted(p.name for p in res.iterdir()) == [f"mask{t:03d}.tif" for t in range(len(masks))] + ["res_track.txt"]
    written = np.loadtxt(res / "res_track.txt", dtype=int, ndmin=2)
    assert sorted(map(tuple, written)) == sorted(map(tuple, tracks))
    assert validate_sequence(str(res), threads=1)["Valid"] == 1
    scores = evaluate_sequence(str(res), str(gt), metrics=["DET", "SEG", "TRA"], threads=1)
    assert scores["DET"] == 1.0 and scores["SEG"] == 1.0 and scores["TRA"] == 1.0, scores

    # CTC -> napari tracks: centroids in napari's centre-based grid, parents kept.
    proc = mifa("convert", res, tmp_path / "tracks.csv", check=False)
    assert proc.returncode == 1 and "--allow-lossy" in proc.stderr and not (tmp_path / "tracks.csv").exists()
    mifa("convert", res, tmp_path / "tracks.csv", "--allow-lossy")
    table = np.genfromtxt(tmp_path / "tracks.csv", delimiter=",", names=True)
    parents = {int(l): int(p) for l, _, _, p in tracks}
    for row in table:
        t, label = int(row["t"]), int(row["track_id"])
        region = [r for r in regionprops(masks[t].astype(np.int32)) if r.label == label][0]
        assert np.allclose((row["y"], row["x"]), region.centroid, rtol=0, atol=1e-9)
        assert int(row["parent_track_id"]) == (parents[label] or -1)


def test_label_time_series_becomes_tracks_by_ctc_rules(mifa, tmp_path):
    stack = np.zeros((6, 30, 30), np.uint16)
    for t in range(6):
        if t != 2:
            stack[t, 5:10, 5 + t:10 + t] = 1          # lost in frame 2: a new label with parent 1 after the gap
        stack[t, 18:25, 18:25] = 7
    tifffile.imwrite(tmp_path / "stack.tif", stack, imagej=True, metadata={"axes": "TYX"})
    res = tmp_path / "RES"
    mifa("convert", tmp_path / "stack.tif", res, "--to", "ctc")
    tracks = sorted(map(tuple, np.loadtxt(res / "res_track.txt", dtype=int, ndmin=2)))
    assert tracks == [(1, 0, 1, 0), (7, 0, 5, 0), (8, 3, 5, 1)]
    assert validate_sequence(str(res), threads=1)["Valid"] == 1


@pytest.mark.parametrize("breakage, message", [
    ("parent-late", "must end before its children start"),
    ("missing-frame", "should be in frame"),
    ("unknown-label", "the tracks file has no such track"),
    ("bad-line", "expected 4 whole numbers"),
])
def test_ctc_rule_breakers_are_clear_errors(mifa, tmp_path, breakage, message):
    rng = np.random.default_rng(3)
    masks, tracks = make_lineage(rng, frames=10)
    tracks = tracks.copy()
    if breakage == "parent-late":
        tracks[1][1] = 5  # daughter starts in the frame its parent ends
    if breakage == "missing-frame":
        masks[4][masks[4] == tracks[0][0]] = 0
    if breakage == "unknown-label":
        masks[3][0:3, 0:3] = 99
    gt = tmp_path / "GT"
    write_ctc_ground_truth(gt, masks, tracks)
    if breakage == "bad-line":
        (gt / "TRA" / "man_track.txt").write_text("1 0 4\n")
    proc = mifa("convert", gt, tmp_path / "out", "--to", "ctc", check=False)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr
    assert "man_track" in proc.stderr  # names the file


def test_napari_points_round_trip(mifa, tmp_path):
    text = "index,axis-0,axis-1,label\n0,10.5,3,cell\n1,0,0,\n2,7.25,19.75,nucleus\n"
    (tmp_path / "points.csv").write_text(text)
    mifa("convert", tmp_path / "points.csv", tmp_path / "points.geojson")
    features = json.loads((tmp_path / "points.geojson").read_text())["features"]
    # napari (row, col) -> corner-based (x, y): +0.5.
    assert [f["geometry"]["coordinates"] for f in features] == [[3.5, 11], [0.5, 0.5], [20.25, 7.75]]
    mifa("convert", tmp_path / "points.geojson", tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_text() == text


def test_yolo_boxes_and_polygons_round_trip(mifa, tmp_path):
    coco = {"images": [{"id": 1, "file_name": "a.png", "width": 200, "height": 100}, {"id": 2, "file_name": "b.png", "width": 50, "height": 50}],
            "annotations": [
                {"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 20, 30, 40], "iscrowd": 0},
                {"id": 2, "image_id": 1, "category_id": 5, "bbox": [0.5, 1.25, 100, 50], "iscrowd": 0},
                {"id": 3, "image_id": 2, "category_id": 3, "bbox": [1, 2, 3, 4], "iscrowd": 0}],
            "categories": [{"id": 3, "name": "cell"}, {"id": 5, "name": "debris"}]}
    source = write_json(tmp_path / "boxes.json", coco)
    mifa("convert", source, tmp_path / "yolo", "--to", "yolo")
    assert (tmp_path / "yolo" / "classes.txt").read_text() == "cell\ndebris\n"
    assert (tmp_path / "yolo" / "labels" / "a.txt").read_text().splitlines()[0] == "0 0.125 0.4 0.15 0.4"
    for image in coco["images"]:  # the image files give YOLO its sizes
        tifffile.imwrite(tmp_path / "yolo" / (image["file_name"][:-4] + ".tif"), np.zeros((image["height"], image["width"]), np.uint8))
    mifa("convert", tmp_path / "yolo", tmp_path / "back.json", "--from", "yolo")
    back = json.loads((tmp_path / "back.json").read_text())
    got = sorted((a["category_id"], a["bbox"]) for a in back["annotations"])
    names = {c["id"]: c["name"] for c in back["categories"]}
    expected = sorted(({"cell": 0, "debris": 1}[{3: "cell", 5: "debris"}[a["category_id"]]], a["bbox"]) for a in coco["annotations"])
    assert [(names[c], ) for c, _ in got] == [(["cell", "debris"][c],) for c, _ in expected]
    assert np.allclose([b for _, b in got], [b for _, b in expected], rtol=0, atol=1e-9)


BAD_COCO = {
    "malformed-rle": ({"segmentation": {"size": [4, 5], "counts": "5220"}}, "/annotations/0/segmentation/counts"),
    "rle-chars": ({"segmentation": {"size": [4, 5], "counts": "52 2003"}}, "/annotations/0/segmentation/counts"),
    "missing-image": ({"image_id": 9}, "/annotations/0/image_id"),
    "missing-category": ({"category_id": 9}, "/annotations/0/category_id"),
    "short-polygon": ({"segmentation": [[1, 1, 2, 2]]}, "/annotations/0/segmentation/0"),
    "odd-polygon": ({"segmentation": [[1, 1, 2, 2, 3]]}, "/annotations/0/segmentation/0"),
    "negative-box": ({"bbox": [1, 1, -2, 3]}, "/annotations/0/bbox"),
}


@pytest.mark.parametrize("case", sorted(BAD_COCO))
def test_bad_coco_is_a_clear_error(mifa, tmp_path, case):
    change, pointer = BAD_COCO[case]
    annotation = {"id": 42, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 3, 0, 3, 3]], "iscrowd": 0}
    annotation.update(change)
    coco = {"images": [{"id": 1, "file_name": "a.png", "width": 5, "height": 4}], "annotations": [annotation], "categories": [{"id": 1, "name": "a"}]}
    source = write_json(tmp_path / "bad.json", coco)
    proc, failure = mifa("convert", source, tmp_path / "out.geojson", "--json", check=False, parse_json=True)
    assert proc.returncode == 1
    assert failure["error"]["place"]["pointer"] == pointer and failure["error"]["place"]["file"].endswith("bad.json"), failure
    assert pointer in proc.stderr and "bad.json" in proc.stderr
    assert not (tmp_path / "out.geojson").exists()


@pytest.mark.parametrize("text, where", [
    ('{"type": "Polygon", "coordinates": [[[0, 0], [4, 4], [4, 0], [0, 4], [0, 0]]]}', "/coordinates/0"),
    ('{"type": "Polygon", "coordinates": [[[0, 0], [NaN, 4], [4, 0], [0, 0]]]}', ":1:"),
    ('{"type": "Point", "coordinates": [1e999, 2]}', "/coordinates"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, "properties": {}}, ]}', ":1:"),
])
def test_bad_geojson_is_a_clear_error(mifa, tmp_path, text, where):
    (tmp_path / "bad.geojson").write_text(text)
    proc = mifa("convert", tmp_path / "bad.geojson", tmp_path / "out.json", check=False)
    assert proc.returncode == 1 and where in proc.stderr, proc.stderr


def test_polygons_outside_the_image_warn_and_are_clipped_like_pycocotools(mifa, tmp_path):
    from pycocotools import mask as mask_utils
    polygon = [-3.5, -2, 12, 1, 9, 14.5, -1, 6]
    coco = {"images": [{"id": 1, "file_name": "a.png", "width": 8, "height": 10}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [polygon], "iscrowd": 0}],
            "categories": [{"id": 1, "name": "a"}]}
    source = write_json(tmp_path / "outside.json", coco)
    _, summary = mifa("convert", source, tmp_path / "mask.npy", "--json", parse_json=True)
    assert [w["code"] for w in summary["warnings"]] == ["outside-image"]
    expected = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects([polygon], 10, 8)))
    assert np.array_equal(np.load(tmp_path / "mask.npy") != 0, expected.astype(bool))


def test_usage_errors_exit_2(mifa, tmp_path):
    (tmp_path / "a.json").write_text("{}")
    assert mifa("convert", tmp_path / "a.json", tmp_path / "b.xyz", check=False).returncode == 2
    assert mifa("convert", tmp_path / "a.json", tmp_path / "b.json", "--to", "excel", check=False).returncode == 2
    assert mifa("convert", tmp_path / "a.json", tmp_path / "b.png", "--image", "big", check=False).returncode == 2


def test_lossy_conversions_are_refused_unless_allowed(mifa, tmp_path):
    coco = {"images": [{"id": 1, "file_name": "a.png", "width": 20, "height": 20}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 10, 0, 10, 10, 0, 10]], "iscrowd": 0},
                            {"id": 2, "image_id": 1, "category_id": 2, "segmentation": [[5, 5, 15, 5, 15, 15, 5, 15]], "iscrowd": 0}],
            "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}
    source = write_json(tmp_path / "two.json", coco)
    proc = mifa("convert", source, tmp_path / "m.png", check=False)
    assert proc.returncode == 1
    assert "classes" not in proc.stdout and "2 categories" in proc.stderr and "pixels are covered by more than one" in proc.stderr
    assert not (tmp_path / "m.png").exists()
    _, summary = mifa("convert", source, tmp_path / "m.png", "--allow-lossy", "--json", parse_json=True)
    assert {loss["kind"] for loss in summary["losses"]} == {"classes", "objects"}
    proc = mifa("convert", source, tmp_path / "boxes", "--to", "yolo", "--yolo", "boxes", check=False)
    assert proc.returncode == 1 and "bounding box" in proc.stderr
    mifa("convert", source, tmp_path / "boxes", "--to", "yolo", "--reduce", "boxes")


def test_large_sparse_mask(mifa, tmp_path):
    from scipy import ndimage
    n = 20000
    rng = np.random.default_rng(8)
    labels = np.zeros((n, n), np.uint16)
    centres = rng.integers(20, n - 20, size=(3000, 2))
    for label, (cy, cx) in enumerate(centres, start=1):
        r = int(rng.integers(2, 9))
        yy, xx = np.ogrid[-r:r + 1, -r:r + 1]
        disc = yy * yy + xx * xx <= r * r
        labels[cy - r:cy + r + 1, cx - r:cx + r + 1][disc] = label
    tifffile.imwrite(tmp_path / "big.tif", labels, compression="zlib", tile=(1024, 1024))
    start = time.monotonic()
    mifa("convert", tmp_path / "big.tif", tmp_path / "big.json", "--coco-masks", "rle", timeout=600)
    elapsed = time.monotonic() - start
    document = json.loads((tmp_path / "big.json").read_text())
    present = np.unique(labels)[1:]
    assert len(document["annotations"]) == len(present)
    areas = np.bincount(labels.ravel(), minlength=len(centres) + 1)
    boxes = ndimage.find_objects(labels)
    for annotation in document["annotations"]:
        label = annotation["label"]
        rows, cols = boxes[label - 1]
        assert annotation["area"] == areas[label]
        assert annotation["bbox"] == [cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start]
    print(f"20000x20000 mask with {len(present)} objects -> COCO in {elapsed:.1f} s")


def test_coco_with_100k_annotations(mifa, tmp_path):
    rng = np.random.default_rng(100000)
    images = [{"id": i + 1, "file_name": f"i{i}.png", "width": 512, "height": 512} for i in range(1000)]
    annotations = []
    for a in range(100_000):
        cx, cy = rng.uniform(20, 490, 2)
        k = int(rng.integers(6, 16))
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = rng.uniform(4, 15, k)
        polygon = np.round(np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)]).ravel(), 2).tolist()
        annotations.append({"id": a + 1, "image_id": a % 1000 + 1, "category_id": 1 + a % 3, "segmentation": [polygon],
                            "area": 100.0, "bbox": [cx - 15, cy - 15, 30, 30], "iscrowd": 0})
    coco = {"images": images, "annotations": annotations, "categories": [{"id": c, "name": f"c{c}"} for c in (1, 2, 3)]}
    source = write_json(tmp_path / "big.json", coco)
    start = time.monotonic()
    _, summary = mifa("convert", source, tmp_path / "big.geojson", "--json", parse_json=True, timeout=600)
    elapsed = time.monotonic() - start
    assert summary["annotations"] == 100_000 and summary["images"] == 1000
    features = json.loads((tmp_path / "big.geojson").read_text())["features"]
    assert len(features) == 100_000
    polygon = annotations[12345]["segmentation"][0]
    assert {tuple(p) for p in features[12345]["geometry"]["coordinates"][0]} == set(zip(polygon[0::2], polygon[1::2]))
    print(f"COCO with 100k annotations -> GeoJSON in {elapsed:.1f} s")


def test_every_pair_converts_or_says_why(mifa, tmp_path):
    """Every source format into every target: converted (losses listed) or refused with a reason."""
    rng = np.random.default_rng(77)
    from annotations_helpers import random_label_image
    from PIL import Image
    sources = {}
    labels = random_label_image(rng, 40, 50, 6).astype(np.uint8)
    Image.fromarray(labels).save(tmp_path / "labels.png")
    sources["mask-png"] = tmp_path / "labels.png"
    np.save(tmp_path / "labels.npy", labels.astype(np.uint16))
    sources["npy"] = tmp_path / "labels.npy"
    masks, tracks = make_lineage(rng, frames=10)
    tifffile.imwrite(tmp_path / "stack.tif", masks, imagej=True, metadata={"axes": "TYX"})
    sources["mask-tiff"] = tmp_path / "stack.tif"
    write_ctc_ground_truth(tmp_path / "ctc", masks, tracks)
    sources["ctc"] = tmp_path / "ctc"
    mifa("convert", sources["mask-png"], tmp_path / "coco.json", "--coco-masks", "polygons")
    sources["coco"] = tmp_path / "coco.json"
    mifa("convert", sources["coco"], tmp_path / "q.geojson")
    sources["geojson"] = tmp_path / "q.geojson"
    (tmp_path / "points.csv").write_text("index,axis-0,axis-1\n0,3,4\n1,10.5,20\n")
    sources["napari-points-csv"] = tmp_path / "points.csv"
    mifa("convert", sources["ctc"], tmp_path / "tracks.csv", "--allow-lossy")
    sources["napari-tracks-csv"] = tmp_path / "tracks.csv"
    mifa("convert", sources["coco"], tmp_path / "yolo", "--to", "yolo", "--allow-lossy")
    sources["yolo"] = tmp_path / "yolo"
    targets = {"coco": "out.json", "geojson": "out.geojson", "mask-png": "out.png", "mask-tiff": "out.tif", "npy": "out.npy",
               "ctc": "outctc", "napari-points-csv": "outp.csv", "napari-tracks-csv": "outt.csv", "yolo": "outyolo"}
    outcomes = {}
    for source, path in sources.items():
        for target, name in targets.items():
            out = tmp_path / "pairs" / f"{source}-to-{target}" / name
            out.parent.mkdir(parents=True)
            strict = mifa("convert", path, out, "--from", source, "--to", target, "--image", "90x72", check=False)
            assert strict.returncode in (0, 1), (source, target, strict.stderr)
            if strict.returncode == 1:
                assert "mifa: error:" in strict.stderr and strict.stderr.count("\n") >= 1
                lenient = mifa("convert", path, out, "--from", source, "--to", target, "--image", "90x72",
                               "--allow-lossy", "--point-radius", "2", "--fill-boxes", check=False)
                assert lenient.returncode in (0, 1), (source, target, lenient.stderr)
                outcomes[(source, target)] = "lossy" if lenient.returncode == 0 else "refused: " + lenient.stderr.strip().splitlines()[-1]
            else:
                outcomes[(source, target)] = "exact"
    # Conversions that must be exact.
    for pair in [("coco", "geojson"), ("geojson", "coco"), ("mask-png", "coco"), ("mask-png", "geojson"), ("npy", "mask-tiff"),
                 ("ctc", "ctc"), ("ctc", "geojson"), ("geojson", "geojson"), ("coco", "coco"), ("yolo", "coco"),
                 ("napari-points-csv", "geojson"), ("napari-tracks-csv", "napari-tracks-csv")]:
        assert outcomes[pair] == "exact", (pair, outcomes[pair])
    refused = {pair: outcome for pair, outcome in outcomes.items() if outcome.startswith("refused")}
    # Only tracks tables from untracked data cannot be made at all.
    print("\n".join(f"{s} -> {t}: {o}" for (s, t), o in sorted(outcomes.items())))
    assert all(target == "napari-tracks-csv" for _, target in refused), refused
