"""`mifa version`, `mifa diff` and `mifa checkout` on a package written independently in Python.

The starting package is written here with zarr-python and hashlib, following the DatasetPackage
core's formats (root group, mifa.json, an OME-Zarr 0.5 image, a normalised GeoJSON set, the file
list object, versions/1.json, manifest.json), so the checks do not rely on MIFAKit to agree with
itself. The crash test SIGKILLs `mifa version` at random points and checks with hashlib that the
package is then exactly the old or the new version, and that the next `mifa version` succeeds.
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import zarr

ADA = {"author_first_name": "Ada", "author_last_name": "Lindqvist", "orcid_id": "0000-0002-9079-593X"}
JOSIAH = {"author_first_name": "Josiah", "author_last_name": "Carberry", "orcid_id": "0000-0002-1825-0097"}
GRACE = {"author_first_name": "Grace", "author_last_name": "Hopper"}
CONTENT_TOPS = ("zarr.json", "mifa.json", "images", "annotations")


def canonical_json(value) -> bytes:
    """The core's CanonicalJSON: Foundation's pretty printer (two spaces, ' : ', sorted keys,
    empty containers as an empty line), plus a final newline."""

    def encode(v, indent):
        pad = " " * (indent + 2)
        if isinstance(v, dict):
            if not v:
                return "{\n\n" + " " * indent + "}"
            items = [pad + json.dumps(k, ensure_ascii=False) + " : " + encode(v[k], indent + 2) for k in sorted(v)]
            return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
        if isinstance(v, list):
            if not v:
                return "[\n\n" + " " * indent + "]"
            return "[\n" + ",\n".join(pad + encode(x, indent + 2) for x in v) + "\n" + " " * indent + "]"
        return json.dumps(v, ensure_ascii=False)

    return (encode(value, 0) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def metadata(annotators, overview="Nuclei outlines"):
    return {
        "study": {
            "title": "Test nuclei",
            "description": "Fluorescence images of nuclei for training nuclear segmentation.",
            "keywords": ["nucleus"], "license": "CC-BY-4.0", "funding_statement": "None.",
            "link_url": ["https://example.org"],
        },
        "images": [{"id": "img1", "path": "images/img1"}],
        "annotations": [{
            "annotation_overview": overview, "annotation_type": ["geometrical_annotations"],
            "annotation_method": "Drawn by hand.", "authors": annotators,
        }],
        "version": {"version": "1", "timestamp": "2026-01-01T00:00:00Z", "changes": "First release."},
    }


def squares(shapes):
    """A FeatureCollection of squares (id, x, y, size) on image img1."""
    features = []
    for ident, x, y, s in shapes:
        ring = [[x, y], [x, y + s], [x + s, y + s], [x + s, y], [x, y]]
        feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                   "properties": {"objectType": "annotation"}}
        if ident is not None:
            feature["id"] = ident
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def content_files(root: Path):
    files = {}
    for top in CONTENT_TOPS:
        base = root / top
        if base.is_file():
            files[top] = base
        elif base.is_dir():
            for path in base.rglob("*"):
                if path.is_file():
                    files[path.relative_to(root).as_posix()] = path
    return files


def write_package(root: Path, size=64, chunk=32, shapes=None):
    """Writes version 1 of a package the way DatasetPackage.create does."""
    root.mkdir(parents=True)
    (root / "zarr.json").write_text(json.dumps(
        {"attributes": {"mifa": {"format": "mifa-package", "version": "1"}}, "node_type": "group", "zarr_format": 3},
        indent=2) + "\n")
    (root / "mifa.json").write_bytes(canonical_json(metadata([ADA, JOSIAH])))
    group = zarr.open_group(str(root / "images" / "img1"), mode="w", zarr_format=3)
    array = group.create_array("0", shape=(size, size), chunks=(chunk, chunk), dtype="uint8", dimension_names=["y", "x"])
    array[:] = (np.arange(size * size, dtype=np.uint32).reshape(size, size) % 251).astype(np.uint8)
    group.attrs["ome"] = {"version": "0.5", "multiscales": [{
        "name": "img1",
        "axes": [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
        "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1.0, 1.0]}]}],
    }]}
    collection = squares(shapes or [("a", 2, 2, 6), ("b", 12, 2, 6), ("c", 2, 12, 6)])
    collection["mifa:images"] = [{"id": "img1", "file_name": "images/img1", "width": size, "height": size}]
    annotations = root / "annotations" / "nuclei" / "annotations.geojson"
    annotations.parent.mkdir(parents=True)
    annotations.write_text(json.dumps(collection) + "\n")

    files = {rel: {"bytes": path.stat().st_size, "sha256": sha256(path.read_bytes())} for rel, path in content_files(root).items()}
    file_list = canonical_json({"files": files})
    objects = root / "versions" / "objects" / "sha256"
    objects.mkdir(parents=True)
    (objects / sha256(file_list)).write_bytes(file_list)
    record = canonical_json({
        "format": "mifa-version", "version": "1", "timestamp": "2026-01-01T00:00:00Z", "changes": "First release.",
        "manifest_sha256": sha256(file_list), "file_count": len(files), "total_bytes": sum(f["bytes"] for f in files.values()),
        "credited_annotators": [ADA, JOSIAH], "credit_removed": [],
        "change_summary": {"files": {"added": sorted(files), "removed": [], "modified": []}, "annotations": {}},
    })
    (root / "versions" / "1.json").write_bytes(record)
    manifest = {"format": "mifa-manifest", "version": "1", "version_record_sha256": sha256(record), "files": files}
    (root / "manifest.json").write_bytes(canonical_json(manifest))


def check_whole_version(root: Path, allowed):
    """Independent check that the package is exactly one whole version: the manifest's version is
    one of `allowed`, its record's digest matches, the stored file list equals the manifest, and the
    content files are exactly the listed ones with the listed digests. Returns the version."""
    manifest = json.loads((root / "manifest.json").read_text())
    version = manifest["version"]
    assert version in allowed, f"the package is at version {version}, expected one of {allowed}"
    record_bytes = (root / "versions" / f"{version}.json").read_bytes()
    assert sha256(record_bytes) == manifest["version_record_sha256"]
    record = json.loads(record_bytes)
    stored = json.loads((root / "versions" / "objects" / "sha256" / record["manifest_sha256"]).read_bytes())
    assert stored["files"] == manifest["files"]
    on_disk = content_files(root)
    assert sorted(on_disk) == sorted(manifest["files"]), "content files differ from the manifest"
    for rel, entry in manifest["files"].items():
        data = on_disk[rel].read_bytes()
        assert (len(data), sha256(data)) == (entry["bytes"], entry["sha256"]), rel
    assert not (root / ".mifa-transaction").exists()
    return version


def feature_ids(root: Path):
    data = json.loads((root / "annotations" / "nuclei" / "annotations.geojson").read_text())
    return sorted(f.get("id") for f in data["features"])


@pytest.fixture
def package(tmp_path):
    root = tmp_path / "pkg"
    write_package(root)
    return root


def test_python_written_package_reads_as_version_1(mifa, package, tmp_path):
    mifa("checkout", package, "1", tmp_path / "v1")
    assert check_whole_version(package, ["1"]) == "1"
    for rel, path in content_files(package).items():
        assert (tmp_path / "v1" / rel).read_bytes() == path.read_bytes()


def test_versions_diff_and_checkout(mifa_bin, package, tmp_path):
    env_epoch = {"SOURCE_DATE_EPOCH": "1767312000"}  # 2026-01-02
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "v2.geojson").write_text(json.dumps(squares([("a", 3, 2, 6), ("c", 2, 12, 6), ("d", 20, 20, 5)])))

    _, record2 = mifa_json(mifa_bin, env_epoch, "version", package, "--version", "2", "--changes", "move a, delete b, add d",
                           "--annotations", f"nuclei={inputs / 'v2.geojson'}", "--json")
    assert record2["previous_version"] == "1"
    # The Python-written package is in format 1: its next version also adds the set's index and
    # names format 2 in zarr.json (the upgrade path), as ordinary files of that version.
    assert record2["change_summary"]["files"] == {
        "added": ["annotations/nuclei/index.json"], "removed": [],
        "modified": ["annotations/nuclei/annotations.geojson", "mifa.json", "zarr.json"]}
    assert record2["change_summary"]["annotations"] == {
        "nuclei": {"added": ["d"], "removed": ["b"], "changed": ["a"], "matched_by_iou": 0}}
    assert [a["orcid_id"] for a in record2["credited_annotators"]] == [ADA["orcid_id"], JOSIAH["orcid_id"]]
    assert feature_ids(package) == ["a", "c", "d"]

    # Version 3: new metadata without Josiah is refused (exit 1, naming him), then forced.
    (inputs / "ada.json").write_text(json.dumps(metadata([ADA], overview="Nuclei outlines, reviewed")))
    before = snapshot(package)
    refused = run_mifa(mifa_bin, {"SOURCE_DATE_EPOCH": "1767398400"}, "version", package, "--version", "3", "--changes", "review",
                       "--metadata", inputs / "ada.json", check=False)
    assert refused.returncode == 1 and "Josiah Carberry" in refused.stderr
    assert snapshot(package) == before
    # A version that changes no annotation object credits nobody through --annotator (credit goes
    # with the annotations a person made); new metadata can still list a new author.
    refused = run_mifa(mifa_bin, {"SOURCE_DATE_EPOCH": "1767398400"}, "version", package, "--version", "3", "--changes", "review",
                       "--metadata", inputs / "ada.json", "--annotator", "Grace Hopper", "--force", "--reason", "left the project", check=False)
    assert refused.returncode == 1 and "names no annotation set" in refused.stderr
    assert snapshot(package) == before
    (inputs / "ada-grace.json").write_text(json.dumps(metadata([ADA, GRACE], overview="Nuclei outlines, reviewed")))
    _, record3 = mifa_json(mifa_bin, {"SOURCE_DATE_EPOCH": "1767398400"}, "version", package, "--version", "3", "--changes", "review",
                           "--metadata", inputs / "ada-grace.json", "--force", "--reason", "left the project",
                           "--json")
    assert [a["author_last_name"] for a in record3["credited_annotators"]] == ["Lindqvist", "Hopper"]
    assert record3["credit_removed"] == [{"annotator": JOSIAH, "reason": "left the project"}]
    assert record3["change_summary"]["files"]["modified"] == ["mifa.json"]
    written = json.loads((package / "mifa.json").read_text())
    assert written["version"] == {"version": "3", "timestamp": "2026-01-03T00:00:00Z", "changes": "review", "previous_version": "2"}

    # Version 4: an id-less set replaces the ids; objects without ids pair by IoU.
    (inputs / "v4.geojson").write_text(json.dumps(squares([(None, 2, 2, 6), (None, 40, 40, 8)])))
    (inputs / "v5.geojson").write_text(json.dumps(squares([(None, 3, 2, 6), (None, 50, 50, 4)])))
    mifa_json(mifa_bin, {"SOURCE_DATE_EPOCH": "1767484800"}, "version", package, "--version", "4", "--changes", "no ids",
              "--annotations", f"nuclei={inputs / 'v4.geojson'}", "--json")
    _, record5 = mifa_json(mifa_bin, {"SOURCE_DATE_EPOCH": "1767571200"}, "version", package, "--version", "5", "--changes", "moved",
                           "--annotations", f"nuclei={inputs / 'v5.geojson'}", "--json")
    assert record5["change_summary"]["annotations"]["nuclei"] == {
        "added": ["#1"], "removed": ["#1"], "changed": ["#0"], "matched_by_iou": 1}

    # Backwards time is refused.
    late = run_mifa(mifa_bin, {"SOURCE_DATE_EPOCH": "1767571200"}, "version", package, "--version", "6", "--changes", "same second",
                    "--annotator", "Alan Turing", check=False)
    assert late.returncode == 1 and "not later" in late.stderr

    # Diff between non-adjacent versions, both ways, from the stored versions.
    _, forward = mifa_json(mifa_bin, {}, "diff", package, "1", "3", "--json")
    assert forward["annotations"] == {"nuclei": {"added": ["d"], "removed": ["b"], "changed": ["a"], "matched_by_iou": 0}}
    assert [a["author_last_name"] for a in forward["credit"]["added"]] == ["Hopper"]
    assert [a["author_last_name"] for a in forward["credit"]["removed"]] == ["Carberry"]
    # mifa.json differs at the version module at least, pointed at member by member.
    assert "/version/version" in forward["metadata"]["changed"]
    _, backward = mifa_json(mifa_bin, {}, "diff", package, "3", "1", "--json")
    assert backward["annotations"]["nuclei"] == {"added": ["b"], "removed": ["d"], "changed": ["a"], "matched_by_iou": 0}
    assert backward["files"]["modified"] == forward["files"]["modified"]
    assert backward["metadata"]["added"] == forward["metadata"]["removed"] and backward["metadata"]["removed"] == forward["metadata"]["added"]
    human = run_mifa(mifa_bin, {}, "diff", package, "1", "3")
    assert "+ d" in human.stdout and "- b" in human.stdout and "credit + Grace Hopper" in human.stdout

    # Every version restores bit for bit to the file list its record names.
    for version in ["1", "2", "3", "4", "5"]:
        out = tmp_path / f"checkout-{version}"
        run_mifa(mifa_bin, {}, "checkout", package, version, out)
        record = json.loads((package / "versions" / f"{version}.json").read_text())
        listed = json.loads((package / "versions" / "objects" / "sha256" / record["manifest_sha256"]).read_bytes())["files"]
        restored = content_files(out)
        assert sorted(restored) == sorted(listed), version
        for rel, entry in listed.items():
            assert sha256(restored[rel].read_bytes()) == entry["sha256"], (version, rel)
    assert run_mifa(mifa_bin, {}, "checkout", package, "9", tmp_path / "nine", check=False).returncode == 1
    assert run_mifa(mifa_bin, {}, "checkout", package, "1", tmp_path / "checkout-1", check=False).returncode == 1


def test_bad_requests_exit_1_and_change_nothing(mifa_bin, package, tmp_path):
    before = snapshot(package)
    bad_geojson = tmp_path / "other.geojson"
    bad_geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 1]}, "properties": {"image_id": "img9"}}]}))
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"study": {"title": "x"}, "images": [], "annotations": []}))
    epoch = {"SOURCE_DATE_EPOCH": "1767312000"}
    for args in (["--version", "1", "--changes", "dup"],
                 ["--version", "../x", "--changes", "unsafe"],
                 ["--version", "2", "--changes", "bad set", "--annotations", f"nuclei={bad_geojson}"],
                 ["--version", "2", "--changes", "bad metadata", "--metadata", invalid],
                 ["--version", "2", "--changes", "unknown", "--remove-credit", "Nobody Here", "--force", "--reason", "x"]):
        proc = run_mifa(mifa_bin, epoch, "version", package, *args, check=False)
        assert proc.returncode == 1, (args, proc.stderr)
        assert proc.stderr.startswith("mifa: error:"), proc.stderr
        assert snapshot(package) == before, args
    usage = run_mifa(mifa_bin, epoch, "version", package, "--version", "2", "--changes", "x", "--remove-credit", ADA["orcid_id"], check=False)
    assert usage.returncode == 2
    for command in ("version", "diff", "checkout"):
        assert "USAGE" in run_mifa(mifa_bin, {}, command, "--help").stdout


def test_sigkill_during_version_leaves_old_or_new(mifa_bin, tmp_path):
    """SIGKILL `mifa version` at random points: afterwards (once any command has opened the
    package) it is exactly the old or the new version, and the next `mifa version` succeeds."""
    root = tmp_path / "pkg"
    # Many chunk files and a large annotation set make one version take a noticeable time.
    write_package(root, size=512, chunk=32)
    inputs = []
    for variant in range(2):
        shapes = [(f"n{i}", (i % 60) * 8 + variant, (i // 60) * 8 % 500, 5) for i in range(1000)]
        path = tmp_path / f"set{variant}.geojson"
        path.write_text(json.dumps(squares(shapes)))
        inputs.append((path, sorted(f"n{i}" for i in range(1000))))
    rng = random.Random(1234)
    env = dict(os.environ)

    def version_command(number):
        path, _ = inputs[number % 2]
        env["SOURCE_DATE_EPOCH"] = str(1767312000 + number * 60)
        return [mifa_bin, "version", str(root), "--version", str(number), "--changes", f"edit {number}",
                "--annotations", f"nuclei={path}"]

    start = time.monotonic()
    full = subprocess.run(version_command(2), env=env, capture_output=True, text=True, timeout=120)
    duration = time.monotonic() - start
    assert full.returncode == 0, full.stderr
    current = 2
    outcomes = {"old": 0, "new": 0}
    runs = 30
    for run in range(runs):
        number = current + 1
        process = subprocess.Popen(version_command(number), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        # Any command opens the package, finishing or undoing the interrupted write.
        subprocess.run([mifa_bin, "diff", str(root), str(current), str(current)], check=True, capture_output=True, timeout=120)
        # ... and removes every temporary file it left (objects, records, the manifest).
        leftovers = [p.relative_to(root).as_posix() for p in root.rglob("*") if ".tmp-" in p.name or ".incoming" in p.name]
        assert not leftovers and not (root / ".mifa-transaction").exists(), leftovers
        version = check_whole_version(root, [str(current), str(number)])
        outcomes["new" if version == str(number) else "old"] += 1
        if version == str(current):
            # The interrupted version left no record behind; making it again succeeds.
            assert not (root / "versions" / f"{number}.json").exists()
            finished = subprocess.run(version_command(number), env=env, capture_output=True, text=True, timeout=120)
            assert finished.returncode == 0, finished.stderr
        check_whole_version(root, [str(number)])
        assert feature_ids(root) == inputs[number % 2][1]
        current = number
    # Earlier versions still restore from the object store, every digest checked.
    subprocess.run([mifa_bin, "checkout", str(root), "2", str(tmp_path / "final-2")], check=True, capture_output=True, timeout=120)
    print(f"one version took {duration:.2f} s; {runs} kills: {outcomes}")


def snapshot(root: Path):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".mifa-lock"}


def run_mifa(mifa_bin, extra_env, *args, check=True):
    """Runs `mifa ARGS...` with extra environment variables (SOURCE_DATE_EPOCH)."""
    env = dict(os.environ)
    env.update(extra_env)
    proc = subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"mifa {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def mifa_json(mifa_bin, extra_env, *args):
    proc = run_mifa(mifa_bin, extra_env, *args)
    return proc, json.loads(proc.stdout)
