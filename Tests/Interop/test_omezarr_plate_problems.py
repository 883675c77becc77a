"""OME-Zarr plate validation reports every problem (issue 20), as metadata validation does: a plate
written by ome-zarr-py, then broken in six places (plate, well and field metadata), lists all six
with the group and JSON pointer of each; the untouched plate is valid."""
import json

import numpy as np
import zarr


def edit_attributes(group_path, change):
    path = group_path / "zarr.json"
    document = json.loads(path.read_text())
    change(document["attributes"]["ome"])
    path.write_text(json.dumps(document))


def test_plate_reports_every_problem(mifa, tmp_path):
    from ome_zarr.writer import write_image, write_plate_metadata, write_well_metadata

    rng = np.random.default_rng(3)
    plate = tmp_path / "plate.zarr"
    root = zarr.open_group(str(plate), mode="w", zarr_format=3)
    wells = ["A/1", "A/2", "B/1", "B/2"]
    write_plate_metadata(root, ["A", "B"], ["1", "2"], wells, name="screen", field_count=2)
    for well_path in wells:
        well = root.require_group(well_path)
        write_well_metadata(well, [{"path": "0"}, {"path": "1"}])
        for field in ("0", "1"):
            write_image(rng.integers(0, 255, size=(16, 16), dtype=np.uint8), well.require_group(field), axes="yx", scale_factors=(2,))
    proc, info = mifa("omezarr", "info", plate, "--json", parse_json=True)
    assert info["valid"], info["issues"]

    def plate_problems(ome):
        ome["plate"]["wells"][1]["rowIndex"] = 7                 # 1: past the rows
        ome["plate"]["columns"][1]["name"] = "2-b"               # 2: not alphanumeric
        ome["plate"]["field_count"] = 1                          # 3..6: every well has 2 fields
    edit_attributes(plate, plate_problems)
    edit_attributes(plate / "A" / "1", lambda ome: ome["well"]["images"][0].pop("path"))   # 7: a field without path
    edit_attributes(plate / "B" / "1", lambda ome: ome.pop("well"))                        # 8: no well metadata
    edit_attributes(plate / "B" / "2" / "1", lambda ome: ome["multiscales"][0].pop("axes"))  # 9: a field without axes

    proc, info = mifa("omezarr", "info", plate, "--json", parse_json=True, check=False)
    assert proc.returncode == 1 and not info["valid"]
    errors = [i for i in info["issues"] if i["severity"] == "error"]
    places = {(i.get("path", ""), i["pointer"]) for i in errors}
    assert ("", "/ome/plate/wells/1/rowIndex") in places
    assert ("", "/ome/plate/columns/1/name") in places
    assert {p for p, _ in places if p} >= {"A/1", "B/1", "B/2/1"}, errors
    # A/2 and B/2 (B/1 has no well metadata; A/1's field without a path is reported instead).
    assert sum("more than the plate's field_count 1" in i["message"] for i in errors) == 2
    assert any(i.get("path") == "A/1" and i["pointer"].startswith("/ome/well/images/0") for i in errors), errors
    assert any(i.get("path") == "B/2/1" and "axes" in i["message"] for i in errors), errors
    assert len(errors) == 7, errors
    # Every issue has a stable code, as audit findings and metadata issues do.
    codes = {(i.get("path", ""), i["pointer"]): i["code"] for i in errors}
    assert codes[("", "/ome/plate/wells/1/rowIndex")] == "invalid-well-reference"
    assert codes[("", "/ome/plate/columns/1/name")] == "invalid-value"
    assert codes[("B/1", "")] == "well-missing"
    assert sorted(i["code"] for i in errors if "field_count" in i["message"]) == ["field-count", "field-count"]
    assert codes[("A/1", "/ome/well/images/0")] == "missing-required", codes
    text = mifa("omezarr", "info", plate, check=False).stdout
    assert f"{len(errors)} errors" in text and "at B/2/1" in text, text
