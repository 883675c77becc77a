"""Per-object credit through files made the way the tools make them: outlines exported by QuPath
(the annotator in the object's `metadata` map) are packed, then replaced by a COCO file with CVAT's
`attributes` (an `annotator` attribute, "" when unset); `mifa credits --json` must credit each
object to the person it names and the rest to the set's annotators, exactly, and `mifa audit
--badges` must write one contributor badge per person agreeing with those credits."""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import tifffile
import yaml

from test_citation import check_schema
from test_package_pack import make_source

MINA = "Mina Okoye <0000-0002-7182-8185>"
ROSALIND = ("Rosalind", "Franklin", "0000-0003-4567-890X")
ALAN = ("Alan", "Turing", None)
KATHERINE = ("Katherine", "Johnson", "0000-0001-1122-2336")


def spelled(person):
    first, last, orcid = person
    return f"{first} {last}" + (f" <{orcid}>" if orcid else "")


def author(person):
    first, last, orcid = person
    result = {"author_first_name": first, "author_last_name": last, "role": ["data annotation"]}
    if orcid:
        result["orcid_id"] = orcid
    return result


def make_history(mifa, tmp_path, rng):
    """Version 1 packed from QuPath-style outlines (set2) where some objects name their annotator in
    `properties.metadata.annotator`; version 2 replaces set2 with a CVAT-style COCO file, granted to Mina."""
    source = tmp_path / "src"
    make_source(source, 2, 64)
    named_v1 = {}
    for outline in sorted((source / "outlines").iterdir()):
        collection = json.loads(outline.read_text())
        for feature in collection["features"]:
            feature["properties"] = {"objectType": "annotation", "classification": {"name": "Nucleus", "color": [200, 0, 0]}, "isLocked": False}
            who = [None, ROSALIND, ALAN][rng.integers(0, 3)]
            if who:
                feature["properties"]["metadata"] = {"annotator": spelled(who)}
            named_v1[feature["id"]] = who
        outline.write_text(json.dumps(collection))
    package = tmp_path / "pkg"
    mifa("pack", source, package, "--metadata", tmp_path / "mifa.yaml", "--changes", "First")

    coco = {"info": {"description": "CVAT export"}, "licenses": [], "categories": [{"id": 1, "name": "Nucleus", "supercategory": ""}],
            "images": [{"id": i + 1, "file_name": f"cell{i:03d}.tif", "width": 64, "height": 64} for i in range(2)], "annotations": []}
    named_v2 = {}
    for k in range(int(rng.integers(3, 9))):
        x, y, side = (int(v) for v in rng.integers(0, 40, size=3) // [1, 1, 2] + [0, 0, 4])
        who = [None, KATHERINE, ALAN, ROSALIND][rng.integers(0, 4)]
        coco["annotations"].append({
            "id": k + 1, "image_id": int(rng.integers(1, 3)), "category_id": 1, "iscrowd": 0, "area": float(side * side),
            "bbox": [x, y, side, side], "segmentation": [[x, y, x + side, y, x + side, y + side, x, y + side]],
            "attributes": {"occluded": False, "rotation": 0.0, "annotator": spelled(who) if who else ""}})
        named_v2[str(k + 1)] = who
    (tmp_path / "cvat.json").write_text(json.dumps(coco))
    mifa("version", package, "--version", "2", "--changes", "Redrawn in CVAT", "--annotations", f"set2={tmp_path / 'cvat.json'}",
         "--annotator", f"{MINA}=set2")
    return package, named_v1, named_v2


def counts(named, set_person):
    """Per person (first, last, orcid) the objects they are credited for; unnamed ones go to set_person."""
    result = {}
    for who in named.values():
        result[who or set_person] = result.get(who or set_person, 0) + 1
    return result


def test_objects_naming_their_annotator_are_credited_to_them(mifa, tmp_path):
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        folder = tmp_path / f"s{seed}"
        folder.mkdir()
        package, named_v1, named_v2 = make_history(mifa, folder, rng)
        _, credits = mifa("credits", package, "--json", parse_json=True)
        check_schema(credits, "credit-history.schema.json")

        masks = [tifffile.imread(folder / "src" / "images" / f"cell{i:03d}_mask.tif") for i in range(2)]
        label_objects = sum(len(np.unique(m)) - 1 for m in masks)
        ada, grace, mina = ("Ada", "Lovelace", "0000-0002-1825-0097"), ("Grace", "Hopper", None), ("Mina", "Okoye", "0000-0002-7182-8185")
        v1 = counts(named_v1, grace)
        v2 = counts(named_v2, mina)

        def first_appearance(named):
            order = []
            for who in named.values():
                if who and who not in order:
                    order.append(who)
            return order

        # versions[].sets: totals, who the set credits, and the object annotators in order of first appearance.
        sets_v1 = credits["versions"][0]["sets"]
        assert sets_v1["set1"]["created"] == label_objects and "object_annotators" not in sets_v1["set1"]
        expected_v1 = [{"annotator": author(p), "created": v1[p], "changed": 0} for p in first_appearance(named_v1)]
        assert sets_v1["set2"].get("object_annotators", []) == expected_v1
        set2_v2 = credits["versions"][1]["sets"]["set2"]
        assert (set2_v2["created"], set2_v2["changed"], set2_v2["removed"]) == (len(named_v2), 0, len(named_v1))
        assert set2_v2.get("object_annotators", []) == [{"annotator": author(p), "created": v2[p], "changed": 0} for p in first_appearance(named_v2)]

        # people: the record's (Ada, Grace, Mina), then the object annotators, each with exact contributions.
        object_people = []
        for p in first_appearance(named_v1) + first_appearance(named_v2):
            if p not in object_people:
                object_people.append(p)
        assert [(p["name"], p.get("orcid")) for p in credits["people"]] == [(f"{f} {l}", o) for f, l, o in [ada, grace, mina] + object_people]
        expected = {ada: [{"version": "1", "set": "set1", "created": label_objects, "changed": 0, "removed": 0}]}
        expected[grace] = [{"version": "1", "set": "set2", "created": v1.get(grace, 0), "changed": 0, "removed": 0}]
        expected[mina] = [{"version": "2", "set": "set2", "created": v2.get(mina, 0), "changed": 0, "removed": len(named_v1)}]
        for p in object_people:
            expected[p] = [{"version": v, "set": "set2", "created": c[p], "changed": 0, "removed": 0} for v, c in (("1", v1), ("2", v2)) if p in c]
        for person in credits["people"]:
            key = next(k for k in expected if f"{k[0]} {k[1]}" == person["name"])
            assert person["contributions"] == expected[key], person["name"]
            if key in object_people:
                assert person["roles"] == ["data annotation"] and person["sets"] == []

        # objects: each COCO object's provenance names its CVAT annotator.
        assert credits["objects"]["set2"] == {
            i: {"created_in": "2", "last_changed_in": "2", **({"annotator": author(w)} if w else {})} for i, w in named_v2.items()}

        # Contributor badges agree with the credits.
        badges = folder / "badges"
        mifa("audit", package, "--badges", badges, check=False)
        for person in credits["people"]:
            objects = sum(c["created"] + c["changed"] for c in person["contributions"])
            versions = len({c["version"] for c in person["contributions"]})
            slug = person.get("orcid") or "-".join(re.split(r"[^a-z0-9]+", person["name"].lower())).strip("-")
            badge = json.loads((badges / f"contributor-{slug}.json").read_text())
            message = f"{objects} object{'' if objects == 1 else 's'}, {versions} version{'' if versions == 1 else 's'}"
            assert badge == {"schemaVersion": 1, "label": person["name"], "message": message, "color": "blue"}
            title = ET.parse(badges / f"contributor-{slug}.svg").getroot().find("{http://www.w3.org/2000/svg}title").text
            assert title == f"{person['name']}: {message}"
        assert len(list(badges.glob("contributor-*.json"))) == len(credits["people"])

        # Citations name the people objects name up to the cited version (credit kept when a later
        # version replaces their objects), after the record's, each once, and validate (cffconvert, DataCite's schema is checked in test_citation); Croissant agrees.
        for version, named, record_people in (("1", named_v1, [ada, grace]), ("2", {**named_v1, **{f"v2-{k}": w for k, w in named_v2.items()}}, [ada, grace, mina])):
            people = record_people + [p for p in first_appearance(named) if p not in record_people]
            out = folder / f"cite{version}"
            out.mkdir()
            mifa("export", package, "--to", "citation", out / "CITATION.cff", "--version", version)
            checked = subprocess.run([str(Path(sys.executable).parent / "cffconvert"), "--validate", "-i", str(out / "CITATION.cff")],
                                     capture_output=True, text=True)
            assert checked.returncode == 0, checked.stdout + checked.stderr
            cff = yaml.safe_load((out / "CITATION.cff").read_text())
            assert [(a.get("given-names"), a["family-names"], a.get("orcid")) for a in cff["authors"]] == [
                (f, l, f"https://orcid.org/{o}" if o else None) for f, l, o in people], version
            mifa("export", package, "--to", "datacite", out / "datacite.json", "--version", version)
            datacite = json.loads((out / "datacite.json").read_text())
            assert [c["name"] for c in datacite["creators"]] == [f"{l}, {f}" for f, l, _ in people]
            mifa("export", package, "--to", "croissant", out / "croissant.json", "--version", version)
            croissant = json.loads((out / "croissant.json").read_text())
            assert [c["name"] for c in croissant["creator"]] == [f"{f} {l}" for f, l, _ in people]


def test_a_bad_object_annotator_is_refused_naming_the_file_and_object(mifa, tmp_path):
    source = tmp_path / "src"
    make_source(source, 1, 64)
    outline = source / "outlines" / "cell000.geojson"
    collection = json.loads(outline.read_text())
    collection["features"][2]["properties"]["metadata"] = {"annotator": "Ada Lovelace <0000-0002-1825-0098>"}
    outline.write_text(json.dumps(collection))
    refused = mifa("pack", source, tmp_path / "pkg", "--metadata", tmp_path / "mifa.yaml", "--changes", "First", check=False)
    assert refused.returncode == 1
    assert "cell000.geojson" in refused.stderr and "cell000-3" in refused.stderr and "ORCID" in refused.stderr
    assert not (tmp_path / "pkg").exists()
