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
    for name in ("metadata", "rembi", "coverage", "annotation_validity"):
        share = report["indicators"][name]
        expected["annotations" if name == "annotation_validity" else name] = f"{share['met'] * 100 // share['of']}%" if share["of"] else "not measured"
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


def filled(value):
    return value is not None and (not isinstance(value, str) or value.strip() != "") and (not isinstance(value, list) or len(value) > 0)


def independent_indicators(package):
    """The audit's quality indicators recomputed from the package's files by the rules stated in
    Schemas/audit-report.schema.json (`indicators`)."""
    metadata = json.loads((package / "mifa.json").read_text())
    study, version = metadata.get("study") or {}, metadata.get("version") or {}
    fields = [study.get(k) for k in ("title", "description", "keywords", "license", "funding_statement", "link_url", "authors",
                                      "publications", "grants", "ai_models_trained", "acknowledgements")]
    for entry in metadata.get("annotations") or []:
        fields += [entry.get(k) for k in ("annotation_overview", "annotation_type", "annotation_method", "annotation_criteria",
                                           "annotation_coverage", "annotation_confidence_level", "authors", "file_metadata")]
    fields += [version.get(k) for k in ("version", "timestamp", "changes")]
    images = sorted(p.parent.name for p in (package / "images").glob("*/zarr.json"))
    complete = {e.get("id") for e in metadata.get("images") or [] if all(e.get(k) is not None for k in ("biosample", "specimen", "image_acquisition"))}
    measured = {}
    for geojson in (package / "annotations").glob("*/annotations.geojson"):
        ids = {f.get("properties", {}).get("image_id") for f in json.loads(geojson.read_text())["features"]} - {None}
        measured[geojson.parent.name] = ids or (set(images) if len(images) == 1 else set())
    for labels in (package / "images").glob("*/labels/*/zarr.json"):
        measured.setdefault(labels.parent.name, set()).add(labels.parents[2].name)
    met = of = 0
    for index, entry in enumerate(metadata.get("annotations") or []):
        declared = {f["source_image_id"] for f in entry.get("file_metadata") or [] if f.get("source_image_id")}
        if declared and (set_id := entry.get("set_id", f"set{index + 1}")) in measured:
            met += len(declared & measured[set_id])
            of += len(declared | measured[set_id])
    share = lambda m, o: {"met": m, "of": o, "value": (m / o if o else None)}
    return {"metadata": share(sum(map(filled, fields)), len(fields)), "rembi": share(sum(i in complete for i in images), len(images)),
            "coverage": share(met, of), "sets": sorted(measured)}


def test_quality_indicators_equal_an_independent_computation(mifa, tmp_path):
    package, _ = make_history(mifa, tmp_path)
    _, report = mifa("audit", package, "--json", parse_json=True)
    check_schema(report, "audit-report.schema.json")
    expected = independent_indicators(package)
    for name in ("metadata", "rembi", "coverage"):
        assert report["indicators"][name] == expected[name], name
    assert report["indicators"]["metadata"]["met"] < report["indicators"]["metadata"]["of"]
    sets = len(expected["sets"])
    assert report["indicators"]["annotation_validity"] == {"met": sets, "of": sets, "value": 1}

    # Completing the metadata moves the share; an edited set file is an error under that set only.
    metadata = json.loads((package / "mifa.json").read_text())
    metadata["study"]["acknowledgements"] = "The imaging facility."
    metadata["study"]["grants"] = [{"grant_id": "G-1", "funder": "A funder"}]
    for image in metadata.get("images") or []:
        image.update(biosample={"biological_entity": "nuclei"}, specimen={"preparation_protocol": "fixed"},
                     image_acquisition={"imaging_method": {"value": "fluorescence microscopy"}})
    first = sorted(p.parent.name for p in (package / "images").glob("*/zarr.json"))[0]
    metadata["annotations"][1]["file_metadata"] = [{"annotation_id": "a1", "annotation_type": ["geometrical_annotations"], "source_image_id": first}]
    edited = tmp_path / "mifa.json"
    edited.write_text(json.dumps(metadata))
    mifa("version", package, "--version", "3", "--changes", "More metadata", "--metadata", edited)
    geojson = package / "annotations/set2/annotations.geojson"
    geojson.write_bytes(geojson.read_bytes() + b" ")
    _, report = mifa("audit", package, "--json", check=False, parse_json=True)
    expected = independent_indicators(package)
    for name in ("metadata", "rembi", "coverage"):
        assert report["indicators"][name] == expected[name], name
    assert report["indicators"]["rembi"]["value"] == 1 and 0 < report["indicators"]["coverage"]["met"] < report["indicators"]["coverage"]["of"]
    assert report["indicators"]["annotation_validity"] == {"met": sets - 1, "of": sets, "value": (sets - 1) / sets}


def test_a_label_image_of_noise_is_left_out_of_the_agreement_and_still_counted(mifa, tmp_path):
    """A label image with an object per pixel (noise, or intensities packed as labels) would make
    the agreement hold and match one mask per pixel (minutes and gigabytes on a real image): the set
    is left out with a note naming the image's object count, and its objects are still counted."""
    import tifffile
    from test_package_pack import make_source
    source = tmp_path / "src"
    make_source(source, 2, 300)
    noise = np.random.default_rng(5).permutation(np.arange(1, 300 * 300 + 1, dtype=np.uint32)).reshape(300, 300)
    tifffile.imwrite(source / "images" / "cell000_mask.tif", noise)
    package = tmp_path / "pkg"
    mifa("pack", source, package, "--metadata", tmp_path / "mifa.yaml", "--changes", "First")
    proc, report = mifa("audit", package, "--json", parse_json=True)
    check_schema(report, "audit-report.schema.json")
    assert report["agreement"] == []
    notes = [f["message"] for f in report["findings"] if f["code"] == "agreement-not-measured"]
    assert any("set1" in note and "65536 objects" in note for note in notes), notes
    assert report["coverage"]["sets"]["set1"]["objects"] == 300 * 300 + 5, report["coverage"]["sets"]["set1"]
