"""`mifa demo` tells each user's step on the generated samples; what it writes opens in the reference tools."""
import json
import zipfile

import zarr


def test_demo_runs_and_keeps_its_files(mifa, tmp_path):
    out = tmp_path / "demo"
    proc = mifa("demo", "--output", out)
    text = proc.stdout
    assert "7 errors found at once" in text
    assert "valid MIFA" in text
    for command in ("pack", "validate", "audit", "version", "diff", "credits", "export", "convert", "bench"):
        assert f"$ mifa {command} " in text, command
    assert "refused (exit 1)" in text and "no longer credits" in text
    assert "1.1 (2 versions in the chain)" in text
    assert text.count("PASS: 0 errors") == 2

    package = out / "nuclei.mifa"
    root = zarr.open_group(package, mode="r")
    assert root.attrs["mifa"]["format"] == "mifa-package"
    manifest = json.loads((package / "manifest.json").read_text())
    assert manifest["version"] == "1.1"
    record = json.loads((package / "versions" / "1.1.json").read_text())
    credited = {a.get("orcid_id") for a in record["credited_annotators"]}
    assert "0000-0002-7182-8185" in credited and len(credited) == 4
    # She is credited on the one set she changed (the QuPath set, set3), not on the others.
    assert {s: [a["orcid_id"] for a in people] for s, people in record["set_credits"].items()} == {"set3": ["0000-0002-7182-8185"]}
    metadata = json.loads((package / "mifa.json").read_text())
    assert [any(a.get("orcid_id") == "0000-0002-7182-8185" for a in s["authors"]) for s in metadata["annotations"]] == [False, False, True]
    with zipfile.ZipFile(out / "nuclei.mifa.zip") as archive:
        names = set(archive.namelist())
    assert {"zarr.json", "mifa.json", "manifest.json", "versions/1.1.json"} <= names
    assert set(manifest["files"]) <= names
    assert "cff-version: 1.2.0" in (out / "CITATION.cff").read_text()
    croissant = json.loads((out / "nuclei.croissant.json").read_text())
    assert croissant["@type"] in ("sc:Dataset", "Dataset")


def test_demo_without_samples_fails_cleanly(mifa, tmp_path):
    proc = mifa("demo", "--samples", tmp_path, check=False)
    assert proc.returncode == 1
    assert "nuclei/mifa.yaml" in proc.stderr
