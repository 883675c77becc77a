"""`mifa audit`: a package built here audits clean, and each kind of tampering (changed byte, deleted
file, extra file, edited version record, edited manifest, removed object) is reported with its path."""
import json
from pathlib import Path

import jsonschema
import pytest

from package_helpers import build_package, commit_version, copy_package


@pytest.fixture(scope="module")
def clean_package(tmp_path_factory, mifa):
    base = tmp_path_factory.mktemp("audit")
    root = build_package(mifa, base / "pkg", base / "work")
    commit_version(root, "2", "2026-02-01T00:00:00Z", "images/img2/0/c/0/0", b"replaced chunk")
    return root


@pytest.fixture
def package(clean_package, tmp_path):
    return copy_package(clean_package, tmp_path / "pkg")


SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "Schemas/audit-report.schema.json").read_text())


def audit(mifa, root, *flags):
    """Runs `mifa audit --json`; every report is checked against Schemas/audit-report.schema.json."""
    proc = mifa("audit", root, "--json", *flags, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return proc.returncode, report


def errors(report):
    return sorted((f["code"], f["path"]) for f in report["findings"] if f["severity"] == "error")


def test_clean_package_audits_clean(mifa, package):
    code, report = audit(mifa, package, "--strict")
    assert code == 0, report["findings"]
    assert report["verdict"] == "clean"
    assert report["version"] == "2"
    assert report["counts"]["images"] == 2 and report["counts"]["versions"] == 2
    assert report["coverage"]["sets"]["cells"]["objects_per_image"] == {"img1": 1, "img2": 2}
    assert report["coverage"]["sets"]["nuclei"]["images"] == ["img1"]
    human = mifa("audit", package).stdout
    assert human.splitlines()[0].startswith("package")
    assert human.splitlines()[-1].startswith("PASS")


def test_changed_byte_in_a_chunk(mifa, package):
    chunk = package / "images/img1/0/c/1/1"
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0x40
    chunk.write_bytes(bytes(data))
    code, report = audit(mifa, package)
    assert code == 1
    assert errors(report) == [("digest-mismatch", "images/img1/0/c/1/1")]
    proc = mifa("audit", package, check=False)
    assert proc.returncode == 1 and "images/img1/0/c/1/1" in proc.stdout and proc.stdout.splitlines()[-1].startswith("FAIL")


def test_deleted_file(mifa, package):
    (package / "images/img1/labels/nuclei/0/c/2/2").unlink()
    code, report = audit(mifa, package)
    assert code == 1 and errors(report) == [("file-missing", "images/img1/labels/nuclei/0/c/2/2")]


def test_extra_file(mifa, package):
    (package / "annotations/cells/notes.txt").write_text("not listed")
    code, report = audit(mifa, package)
    assert code == 1 and errors(report) == [("file-unlisted", "annotations/cells/notes.txt")]


def test_edited_version_record(mifa, package):
    record = package / "versions/1.json"
    record.write_text(record.read_text().replace('"first"', '"rewritten history"'))
    code, report = audit(mifa, package)
    assert code == 1 and errors(report) == [("version-digest-mismatch", "versions/2.json")]
    assert [f["pointer"] for f in report["findings"] if f["severity"] == "error"] == ["/previous_record_sha256"]


def test_edited_manifest(mifa, package):
    manifest_path = package / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["mifa.json"]["sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest, indent=2))
    code, report = audit(mifa, package)
    assert code == 1
    assert errors(report) == [("digest-mismatch", "mifa.json"), ("version-digest-mismatch", "manifest.json")]


def test_removed_object(mifa, package):
    objects = package / "versions/objects/sha256"
    listing = json.loads((package / "versions/1.json").read_text())["manifest_sha256"]
    old_chunks = [p for p in objects.iterdir() if p.name != listing and p.name != json.loads((package / "versions/2.json").read_text())["manifest_sha256"]]
    assert len(old_chunks) == 1
    old_chunks[0].unlink()
    code, report = audit(mifa, package)
    assert code == 1
    assert errors(report) == [("object-missing", f"versions/objects/sha256/{old_chunks[0].name}")]
    assert "images/img2/0/c/0/0" in report["findings"][0]["message"]


def test_restrictive_license_fails_only_with_strict(mifa, tmp_path):
    root = build_package(mifa, tmp_path / "pkg", tmp_path / "work", license="CC-BY-NC-4.0")
    code, report = audit(mifa, root)
    assert code == 0 and report["verdict"] == "warnings"
    assert [(f["code"], f["pointer"]) for f in report["findings"] if f["severity"] == "warning"] == [("license-restrictive", "/study/license")]
    code, _ = audit(mifa, root, "--strict")
    assert code == 1


def test_not_a_package(mifa, tmp_path):
    proc = mifa("audit", tmp_path, check=False)
    assert proc.returncode == 1 and "zarr.json" in proc.stderr


def test_interrupted_write_is_discarded_and_reported(mifa, package):
    staged = package / ".mifa-transaction/tree/images/img9"
    staged.mkdir(parents=True)
    (staged / "zarr.json").write_text("{}")
    code, report = audit(mifa, package)
    assert code == 0
    assert "discarded" in report["recovered"] and "version 2" in report["recovered"]
    # (The hand-written package is in format 1, which the audit also notes.)
    assert [f["code"] for f in report["findings"] if f["severity"] == "info" and f["code"] not in ("rembi-missing", "format-outdated")] == ["recovered"]
    assert not (package / ".mifa-transaction").exists()
