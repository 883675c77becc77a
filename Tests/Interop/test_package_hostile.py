"""Packages from strangers, through the CLI (issue: hostile packages): a self-consistent chain whose
file list leaves the package, links and FIFOs where the package's own files belong, exports taken
while versions are committed, commands killed mid-way, and requests that would damage a package.
Every case exits 1 (or succeeds) without a hang, and nothing outside the package changes."""
import hashlib
import json
import os
import random
import signal
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from package_helpers import ROOT_GROUP, build_package, canonical_json, copy_package, sha256

TIMEOUT = 60  # a hang guard only: every command here finishes in a few seconds


@pytest.fixture(scope="module")
def clean_package(mifa, tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    return build_package(mifa, base / "pkg", base / "work")


def forge_path(root: Path, evil: str):
    """Adds `evil` to version 1's file list and recomputes every digest, as a forger would."""
    manifest = json.loads((root / "manifest.json").read_text())
    files = dict(manifest["files"])
    files[evil] = files["zarr.json"]
    listing = canonical_json({"files": files})
    digest = sha256(listing)
    (root / "versions/objects/sha256" / digest).write_bytes(listing)
    record = json.loads((root / "versions/1.json").read_text())
    record.update(manifest_sha256=digest, file_count=len(files), total_bytes=sum(f["bytes"] for f in files.values()))
    record_bytes = canonical_json(record)
    (root / "versions/1.json").write_bytes(record_bytes)
    manifest.update(files=files, version_record_sha256=sha256(record_bytes))
    (root / "manifest.json").write_bytes(canonical_json(manifest))


@pytest.mark.parametrize("evil", ["images/../../victim.txt", "annotations/../../../victim.txt", "VICTIM_ABSOLUTE", "versions/1.json"])
def test_file_list_leaving_the_package_is_refused(mifa, clean_package, tmp_path, evil):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    root = copy_package(clean_package, tmp_path / "pkg")
    forge_path(root, str(victim) if evil == "VICTIM_ABSOLUTE" else evil)

    audit = mifa("audit", root, "--json", "--strict", check=False, timeout=TIMEOUT)
    assert audit.returncode == 1
    report = json.loads(audit.stdout)
    assert report["verdict"] == "errors"
    assert any(f["code"] == "unsafe-path" for f in report["findings"]), report["findings"]
    for args in (["checkout", root, "1", tmp_path / "out"], ["export", root, "--to", "zip", tmp_path / "out.zip"],
                 ["version", root, "--version", "2", "--changes", "edit"], ["export", root, "--to", "croissant", tmp_path / "c.json"]):
        proc = mifa(*args, check=False, timeout=TIMEOUT)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "not a file inside the package" in proc.stderr, proc.stderr
    assert victim.read_text() == "precious"
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()
    assert not (root / "versions/2.json").exists()


@pytest.mark.parametrize("place", ["manifest.json", "mifa.json", "zarr.json", "versions/1.json"])
def test_fifo_in_place_of_a_package_file_does_not_hang(mifa, clean_package, tmp_path, place):
    root = copy_package(clean_package, tmp_path / "pkg")
    (root / place).unlink()
    os.mkfifo(root / place)
    commands = [["audit", root, "--json"], ["checkout", root, "1", tmp_path / "out"], ["export", root, "--to", "zip", tmp_path / "o.zip"],
                ["diff", root, "1", "1"], ["bench", root, "--batch", "1", "--epochs", "1"]]
    if place == "mifa.json":
        commands.append(["validate", root])  # validate reads only the metadata
    for args in commands:
        proc = mifa(*args, check=False, timeout=TIMEOUT)
        if place == "versions/1.json" and args[0] in ("checkout", "bench"):
            # The current version's files need only the manifest; each is checked against its digest.
            assert proc.returncode == 0, proc.stderr
            continue
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert proc.stderr.strip() or args[0] == "audit", args


@pytest.mark.parametrize("place", ["versions", "manifest.json", ".mifa-lock", "images"])
def test_links_at_package_level_are_refused(mifa, clean_package, tmp_path, place):
    root = copy_package(clean_package, tmp_path / "pkg")
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / place.replace("/", "_")
    if (root / place).exists():
        (root / place).rename(target)
    (root / place).symlink_to(target)
    audit = mifa("audit", root, "--json", check=False, timeout=TIMEOUT)
    assert audit.returncode == 1
    findings = json.loads(audit.stdout)["findings"]
    assert {"irregular-file"} <= {f["code"] for f in findings if f["path"] == place}, findings
    proc = mifa("version", root, "--version", "2", "--changes", "edit", check=False, timeout=TIMEOUT)
    assert proc.returncode == 1 and "symbolic link" in proc.stderr, proc.stderr
    assert not list(outside.rglob("2.json"))
    if place == ".mifa-lock":
        assert not target.exists()


def zip_is_one_version(path: Path):
    """Every content file in the zip has the digest its manifest.json records, and the manifest
    names the record in the zip."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        record = archive.read(f"versions/{manifest['version']}.json")
        assert sha256(record) == manifest["version_record_sha256"]
        names = {n for n in archive.namelist() if n.startswith(("images/", "annotations/")) or n in ("zarr.json", "mifa.json")}
        assert names == set(manifest["files"]), names ^ set(manifest["files"])
        for name, entry in manifest["files"].items():
            assert sha256(archive.read(name)) == entry["sha256"], name
        listed = {n.rsplit("/", 1)[1] for n in archive.namelist() if n.startswith("versions/objects/sha256/")}
        assert json.loads(record)["manifest_sha256"] in listed
        return manifest["version"]


def test_export_during_versions_takes_one_version(mifa_bin, clean_package, tmp_path):
    root = copy_package(clean_package, tmp_path / "pkg")
    geojson = json.loads((root / "annotations/cells/annotations.geojson").read_text())
    env = dict(os.environ)
    errors = []

    def make_versions():
        for number in range(2, 12):
            variant = dict(geojson)
            variant["features"] = [dict(f, id=f"{f['id']}-{number}") for f in geojson["features"]]
            path = tmp_path / f"cells-{number}.geojson"
            path.write_text(json.dumps(variant))
            env["SOURCE_DATE_EPOCH"] = str(1767312000 + number * 60)
            proc = subprocess.run([mifa_bin, "version", str(root), "--version", str(number), "--changes", f"edit {number}",
                                   "--annotations", f"cells={path}"], env=env, capture_output=True, text=True, timeout=TIMEOUT)
            if proc.returncode != 0:
                errors.append(proc.stderr)

    writer = threading.Thread(target=make_versions)
    writer.start()
    versions = []
    for index in range(30):
        out = tmp_path / f"export-{index}.zip"
        proc = subprocess.run([mifa_bin, "export", str(root), "--to", "zip", str(out)], capture_output=True, text=True, timeout=TIMEOUT)
        assert proc.returncode == 0, proc.stderr
        versions.append(zip_is_one_version(out))
        out.unlink()
    writer.join()
    assert not errors, errors
    print(f"versions seen by 30 exports: {sorted(set(versions), key=int)}")


@pytest.mark.parametrize("command", ["checkout", "export"])
def test_killed_checkout_and_export_leave_nothing(mifa_bin, clean_package, tmp_path, command):
    root = copy_package(clean_package, tmp_path / "pkg")
    out = tmp_path / "out" / ("copy" if command == "checkout" else "copy.zip")
    out.parent.mkdir()
    args = [mifa_bin, "checkout", str(root), "1", str(out)] if command == "checkout" else [mifa_bin, "export", str(root), "--to", "zip", str(out)]
    start = time.monotonic()
    subprocess.run(args, check=True, capture_output=True, timeout=TIMEOUT)
    duration = time.monotonic() - start
    subprocess.run(["rm", "-rf", str(out)], check=True)
    rng = random.Random(7)
    for _ in range(10):
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        subprocess.run(["rm", "-rf", str(out)], check=True)
    subprocess.run(args, check=True, capture_output=True, timeout=TIMEOUT)
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_bad_version_requests_are_refused(mifa, clean_package, tmp_path):
    root = copy_package(clean_package, tmp_path / "pkg")
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    metadata = json.loads((root / "mifa.json").read_text())
    metadata["images"][1]["id"] = "../../../x"
    (tmp_path / "mifa.json").write_text(json.dumps(metadata))
    proc = mifa("version", root, "--version", "2", "--changes", "edit", "--metadata", tmp_path / "mifa.json", check=False, timeout=TIMEOUT)
    assert proc.returncode == 1, proc.stdout
    assert "../../../x" in proc.stderr
    after = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != ".mifa-lock"}
    assert after == before
    assert mifa("audit", root, "--strict", check=False, timeout=TIMEOUT).returncode == 0


def test_a_package_is_never_packed_inside_another(mifa, clean_package, tmp_path):
    root = copy_package(clean_package, tmp_path / "pkg")
    samples = Path(__file__).resolve().parents[2] / "Samples" / "nuclei"
    proc = mifa("pack", samples, root / "images" / "new", "--metadata", samples / "mifa.yaml", "--file-list", samples / "files.tsv",
                check=False, timeout=TIMEOUT)
    assert proc.returncode == 1 and "inside the package" in proc.stderr, proc.stderr
    assert not (root / "images" / "new").exists()
    assert mifa("audit", root, "--strict", check=False, timeout=TIMEOUT).returncode == 0


@pytest.mark.parametrize("args", [
    ["audit", "MISSING", "--json"],
    ["checkout", "PKG", "9", "OUT", "--json"],
    ["zarr", "info", "MISSING", "--json"],
    ["convert", "MISSING.json", "OUT.geojson", "--to", "geojson", "--json"],
    ["bench", "PKG", "--patch", "0,0", "--json"],
])
def test_json_errors_are_json(mifa, clean_package, tmp_path, args):
    """With --json, a failure is one JSON document on stdout (code, message, place); the exit code stays."""
    names = {"MISSING": str(tmp_path / "missing"), "MISSING.json": str(tmp_path / "missing.json"), "PKG": str(clean_package),
             "OUT": str(tmp_path / "out"), "OUT.geojson": str(tmp_path / "out.geojson")}
    proc = mifa(*[names.get(a, a) for a in args], check=False, timeout=TIMEOUT)
    assert proc.returncode in (1, 2), proc
    document = json.loads(proc.stdout)
    error = document["error"]
    assert error["code"] and error["message"] and isinstance(error["place"], dict), document
    assert proc.stderr.strip()
    if proc.returncode == 2:
        assert error["code"] == "usage"
