"""COCO results lists (issue 20) as cocoapi's `COCO.loadRes` reads them: each `image_id` its own
image, every mask as `annToMask` gives it; captions files refused with a message that says so."""
import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from annotations_helpers import random_mask, random_polygon, write_json

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def load_results(tmp_path, images, results):
    """pycocotools' reading of a results list against a ground truth holding `images`."""
    gt = write_json(tmp_path / "gt.json", {"images": images, "annotations": [], "categories": [{"id": 1, "name": "object"}]})
    res = write_json(tmp_path / "results.json", results)
    return COCO(str(gt)).loadRes(str(res)), res


def test_coco_results_list_is_read_per_image_as_load_res(mifa, tmp_path):
    rng = np.random.default_rng(2020)
    images = [{"id": 3, "width": 40, "height": 25}, {"id": 7, "width": 31, "height": 52}, {"id": 9, "width": 64, "height": 17}]
    results = []
    for image in images:
        for _ in range(4):
            rle = mask_utils.encode(np.asfortranarray(random_mask(rng, image["height"], image["width"])))
            results.append({"image_id": image["id"], "category_id": 1, "score": round(float(rng.random()), 3),
                            "segmentation": {"size": rle["size"], "counts": rle["counts"].decode()}})
    coco_res, res = load_results(tmp_path, images, results)

    # COCO out: one image per image_id with its own size, every mask as annToMask gives it.
    mifa("convert", res, tmp_path / "out.json", "--to", "coco", "--coco-masks", "rle")
    out = json.loads((tmp_path / "out.json").read_text())
    assert sorted((i["id"], i["width"], i["height"]) for i in out["images"]) == sorted((i["id"], i["width"], i["height"]) for i in images)
    written = COCO(str(write_json(tmp_path / "out-cats.json", {**out, "categories": [{"id": 1, "name": "object"}]})))
    assert len(out["annotations"]) == len(results)
    for ours, theirs in zip(out["annotations"], coco_res.dataset["annotations"]):
        assert ours["image_id"] == theirs["image_id"] and ours["score"] == theirs["score"]
        assert np.array_equal(written.annToMask(ours), coco_res.annToMask(theirs))

    # Label images: one per image (never one merged image), later results over earlier ones.
    mifa("convert", res, tmp_path / "masks", "--to", "npy", "--allow-lossy")
    for image in images:
        expected = np.zeros((image["height"], image["width"]), np.int64)
        for label, ann in enumerate(coco_res.imgToAnns[image["id"]], start=1):
            expected[coco_res.annToMask(ann) == 1] = label
        assert np.array_equal(np.load(tmp_path / "masks" / f"{image['id']}.npy").astype(np.int64), expected), image


def test_coco_results_polygons_and_boxes_take_the_image_size(mifa, tmp_path):
    rng = np.random.default_rng(21)
    images = [{"id": i, "width": 48, "height": 36} for i in (1, 2)]
    polygons = [random_polygon(rng, 36, 48) for _ in range(6)]
    # loadRes reads polygon results through the bbox branch (its segmentation branch takes RLE only).
    results = [{"image_id": 1 + k % 2, "category_id": 1, "score": 0.5, "segmentation": [p],
                "bbox": [min(p[0::2]), min(p[1::2]), max(p[0::2]) - min(p[0::2]), max(p[1::2]) - min(p[1::2])]}
               for k, p in enumerate(polygons)]
    coco_res, res = load_results(tmp_path, images, results)
    proc = mifa("convert", res, tmp_path / "m", "--to", "npy", "--allow-lossy", check=False)
    assert proc.returncode == 1 and "--image" in proc.stderr, proc.stderr
    mifa("convert", res, tmp_path / "m", "--to", "npy", "--allow-lossy", "--image", "48x36")
    for image in images:
        expected = np.zeros((36, 48), np.int64)
        for label, ann in enumerate(coco_res.imgToAnns[image["id"]], start=1):
            expected[coco_res.annToMask(ann) == 1] = label
        assert np.array_equal(np.load(tmp_path / "m" / f"{image['id']}.npy").astype(np.int64), expected)

    boxes = [{"image_id": 1 + k % 2, "category_id": 1, "score": 0.25, "bbox": [float(k), 2.0 * k, 5.5, 3.0]} for k in range(4)]
    box_res, res = load_results(tmp_path, images, boxes)
    mifa("convert", res, tmp_path / "boxes.json", "--to", "coco", "--image", "48x36")
    out = json.loads((tmp_path / "boxes.json").read_text())
    assert len(out["images"]) == 2
    assert [(a["image_id"], a["bbox"]) for a in out["annotations"]] == [(a["image_id"], a["bbox"]) for a in box_res.dataset["annotations"]]


def test_coco_results_refusals_say_why(mifa, tmp_path):
    captions = write_json(tmp_path / "captions.json", [{"image_id": 1, "caption": "a cell dividing"}])
    proc = mifa("convert", captions, tmp_path / "c.geojson", check=False)
    assert proc.returncode == 1 and "captions" in proc.stderr and "captions.json" in proc.stderr, proc.stderr
    full = write_json(tmp_path / "captions_val.json", {"images": [{"id": 1, "width": 4, "height": 4}],
                                                         "annotations": [{"id": 1, "image_id": 1, "caption": "two nuclei"}]})
    proc = mifa("convert", full, tmp_path / "c2.geojson", check=False)
    assert proc.returncode == 1 and "captions" in proc.stderr and "/annotations/0/caption" in proc.stderr, proc.stderr

    rle_a = mask_utils.encode(np.asfortranarray(np.ones((4, 5), np.uint8)))
    rle_b = mask_utils.encode(np.asfortranarray(np.ones((6, 5), np.uint8)))
    mixed = write_json(tmp_path / "mixed.json", [
        {"image_id": 1, "category_id": 1, "score": 1.0, "segmentation": {"size": rle_a["size"], "counts": rle_a["counts"].decode()}},
        {"image_id": 1, "category_id": 1, "score": 1.0, "segmentation": {"size": rle_b["size"], "counts": rle_b["counts"].decode()}}])
    proc = mifa("convert", mixed, tmp_path / "mixed.npy", check=False)
    assert proc.returncode == 1 and "/1/segmentation/size" in proc.stderr, proc.stderr
    no_image = write_json(tmp_path / "noimage.json", [{"category_id": 1, "bbox": [1, 1, 2, 2], "score": 1.0}])
    proc = mifa("convert", no_image, tmp_path / "n.json", "--to", "coco", check=False)
    assert proc.returncode == 1 and "image_id" in proc.stderr, proc.stderr

