"""Inter-annotator agreement in `mifa audit --json` (key `agreement`) recomputed independently: the
packed sample's set1 (label images) and set2 (outlines), plus set3, a perturbed copy of set2 (some
outlines moved, one removed), are rasterised here with shapely (a pixel belongs to a polygon when
its centre is inside) and numpy, matched greedily at IoU >= 0.5 in order of decreasing IoU, and
F1 and mean Dice compared with the audit's (counts and F1 exactly, mean Dice within 1e-12)."""
import json
import random

import numpy as np
import shapely
import zarr
from shapely.geometry import shape

from test_citation import check_schema, make_history


def image_grid(package, image):
    group = zarr.open_group(str(package / "images" / image), mode="r")
    return group["0"].shape[-2:]


def vector_masks(package, set_id):
    document = json.loads((package / "annotations" / set_id / "annotations.geojson").read_text())
    only = document["mifa:images"][0]["id"] if len(document.get("mifa:images", [])) == 1 else None
    masks = {}
    for feature in document["features"]:
        geometry = feature.get("geometry")
        if not geometry or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        image = (feature.get("properties") or {}).get("image_id", only)
        height, width = image_grid(package, image)
        ys, xs = np.mgrid[0:height, 0:width]
        mask = shapely.contains_xy(shape(geometry), xs + 0.5, ys + 0.5)
        if mask.any():
            masks.setdefault(image, []).append(mask)
    return masks


def label_masks(package, set_id):
    masks = {}
    for folder in sorted((package / "images").glob(f"*/labels/{set_id}")):
        image = folder.parent.parent.name
        labels = np.asarray(zarr.open_group(str(folder), mode="r")["0"][...]).reshape(image_grid(package, image))
        masks[image] = [labels == value for value in np.unique(labels) if value != 0]
    return masks


def agreement(a, b):
    images = sorted(set(a) & set(b))
    counts, matched, dice = [0, 0], 0, []
    for image in images:
        candidates = []
        for i, ma in enumerate(a[image]):
            for j, mb in enumerate(b[image]):
                inter = int(np.logical_and(ma, mb).sum())
                union = int(ma.sum() + mb.sum()) - inter
                if inter and inter / union >= 0.5:
                    candidates.append((inter / union, i, j, 2 * inter / (int(ma.sum()) + int(mb.sum()))))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        used_a, used_b = set(), set()
        for _, i, j, d in candidates:
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
                dice.append(d)
        counts[0] += len(a[image])
        counts[1] += len(b[image])
    matched = len(dice)
    return {"images": images, "objects": counts, "matched": matched,
            "f1": 2 * matched / sum(counts) if sum(counts) else None,
            "mean_dice": sum(dice) / matched if matched else None}


def test_agreement_equals_an_independent_shapely_numpy_computation(mifa, tmp_path):
    package, _ = make_history(mifa, tmp_path)
    outlines = json.loads((package / "annotations/set2/annotations.geojson").read_text())
    rng = random.Random(7)
    for feature in outlines["features"]:
        dx, dy = rng.choice([(0, 0), (1, 0), (2, 1), (4, 3)])
        feature["geometry"]["coordinates"] = [[[x + dx, y + dy] for x, y in ring] for ring in feature["geometry"]["coordinates"]]
    del outlines["features"][3]
    second_reader = tmp_path / "set3.geojson"
    second_reader.write_text(json.dumps(outlines))
    metadata = json.loads((package / "mifa.json").read_text())
    reader = dict(metadata["annotations"][1], annotation_overview="Outlines, second reader")
    metadata["annotations"].append(reader)
    metadata_file = tmp_path / "mifa.json"
    metadata_file.write_text(json.dumps(metadata))
    mifa("version", package, "--version", "3", "--changes", "Second reader", "--metadata", metadata_file,
         "--annotations", f"set3={second_reader}", "--annotator", "Alan Turing=set3")

    proc, report = mifa("audit", package, "--json", parse_json=True)
    check_schema(report, "audit-report.schema.json")
    measured = {tuple(entry["sets"]): entry for entry in report["agreement"]}
    assert set(measured) == {("set1", "set2"), ("set1", "set3"), ("set2", "set3")}
    masks = {"set1": label_masks(package, "set1"), "set2": vector_masks(package, "set2"), "set3": vector_masks(package, "set3")}
    for (first, second), entry in measured.items():
        expected = agreement(masks[first], masks[second])
        assert entry["images"] == expected["images"]
        assert entry["objects"] == expected["objects"] and entry["matched"] == expected["matched"], (first, second)
        assert entry["f1"] == expected["f1"]
        assert abs(entry["mean_dice"] - expected["mean_dice"]) <= 1e-12
    # The perturbation is visible: the second reader agrees less with the first than the masks with their outlines.
    assert measured[("set2", "set3")]["f1"] < 1 and measured[("set2", "set3")]["mean_dice"] < measured[("set1", "set2")]["mean_dice"]


def test_badges_follow_the_stated_rules(mifa, tmp_path):
    import xml.etree.ElementTree as ET
    package, _ = make_history(mifa, tmp_path)
    badges = tmp_path / "badges"
    _, report = mifa("audit", package, "--json", "--badges", badges, parse_json=True)
    record = json.loads((package / "versions" / f"{report['version']}.json").read_text())
    expected = {
        "audit": ("pass" if report["verdict"] == "clean" else "warnings" if report["verdict"] == "warnings" else "fail"),
        "agreement": "F1 %.2f" % min(e["f1"] for e in report["agreement"]),
        "annotators": f"{len(record['credited_annotators'])} credited",
        "versions": str(report["counts"]["versions"]),
    }
    # Contributor badges (one per person of `mifa credits`) are checked in test_object_credit.py.
    assert sorted(p.name for p in badges.iterdir() if not p.name.startswith("contributor-")) == sorted(f"{n}.{e}" for n in expected for e in ("svg", "json"))
    for name, message in expected.items():
        badge = json.loads((badges / f"{name}.json").read_text())
        assert badge["schemaVersion"] == 1 and badge["message"] == message
        title = ET.parse(badges / f"{name}.svg").getroot().find("{http://www.w3.org/2000/svg}title").text
        assert title == f"{badge['label']}: {message}"
    lowest = min(e["f1"] for e in report["agreement"])
    color = json.loads((badges / "agreement.json").read_text())["color"]
    assert color == ("brightgreen" if lowest >= 0.9 else "yellow" if lowest >= 0.7 else "red")
