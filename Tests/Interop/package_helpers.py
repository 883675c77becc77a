"""Builds small MIFA packages for the interop tests without `mifa pack`: images through
`mifa omezarr from-tiff`, a GeoJSON set and mifa.json written here, and the package files
(zarr.json, file list object, version record, manifest.json) exactly as the DatasetPackage core
writes them (canonical JSON: two-space indentation, sorted keys, `" : "`, final newline)."""
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import tifffile

ROOT_GROUP = """{
  "attributes": {
    "mifa": {
      "format": "mifa-package",
      "version": "1"
    }
  },
  "node_type": "group",
  "zarr_format": 3
}
"""

ANNOTATOR = {"author_first_name": "Ada", "author_last_name": "Lovelace", "orcid_id": "0000-0002-1825-0097"}


def canonical_json(value) -> bytes:
    """The core's CanonicalJSON bytes (keys here never hold multi-digit numbers or mixed case,
    so plain sorting matches Foundation's key order)."""
    return (json.dumps(value, indent=2, sort_keys=True, separators=(",", " : "), ensure_ascii=False) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def nuclei_mask(height=64, width=64) -> np.ndarray:
    mask = np.zeros((height, width), dtype=np.uint8)
    mask[5:17, 6:20] = 1
    mask[30:45, 30:52] = 2
    mask[50:60, 4:12] = 3
    return mask


def image_pixels(seed: int, height=64, width=64) -> np.ndarray:
    return ((np.arange(height * width, dtype=np.uint32).reshape(height, width) * 7 + seed) % 4000).astype(np.uint16)


def metadata(license="CC-BY-4.0", images=("img1", "img2")) -> dict:
    return {
        "study": {
            "title": "Tiny nuclei", "description": "Synthetic nuclei for testing nuclear segmentation.",
            "keywords": ["nucleus"], "license": license, "funding_statement": "None.",
            "link_url": ["https://example.org/tiny"],
            "authors": [{"author_first_name": "Josiah", "author_last_name": "Carberry", "orcid_id": "0000-0002-1825-0097"}],
        },
        "images": [{"id": image, "path": f"images/{image}"} for image in images],
        "annotations": [{
            "annotation_overview": "Nuclei outlines and masks", "annotation_type": ["segmentation_mask"],
            "annotation_method": "manual", "authors": [ANNOTATOR],
            "file_metadata": [{"annotation_id": f"cells-{image}", "annotation_type": ["segmentation_mask"], "source_image_id": image}
                              for image in images],
        }],
        "version": {"version": "1", "timestamp": "2026-01-01T00:00:00Z"},
    }


def cells_geojson() -> dict:
    def square(x, y, size, image, ident):
        ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
        return {"type": "Feature", "id": ident, "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"image_id": image}}
    return {
        "type": "FeatureCollection",
        "mifa:images": [{"id": image, "file_name": f"images/{image}", "width": 64, "height": 64} for image in ("img1", "img2")],
        "features": [square(2, 3, 8, "img1", 1), square(20, 20, 10, "img2", 2), square(40, 8, 6, "img2", 3)],
    }


def content_files(root: Path) -> dict:
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and (relative in ("zarr.json", "mifa.json") or relative.startswith(("images/", "annotations/"))):
            data = path.read_bytes()
            files[relative] = {"bytes": len(data), "sha256": sha256(data)}
    return files


def store_object(root: Path, data: bytes) -> str:
    digest = sha256(data)
    path = root / "versions/objects/sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    return digest


def write_version(root: Path, version: str, timestamp: str, previous=None, annotators=None, changes="first"):
    """Writes the file list object, the record and manifest.json for the tree as it is now."""
    files = content_files(root)
    listing = canonical_json({"files": files})
    list_digest = store_object(root, listing)
    record = {
        "format": "mifa-version", "version": version, "timestamp": timestamp, "changes": changes,
        "manifest_sha256": list_digest, "file_count": len(files), "total_bytes": sum(f["bytes"] for f in files.values()),
        "credited_annotators": [ANNOTATOR] if annotators is None else annotators, "credit_removed": [],
        "change_summary": {"files": {"added": [], "removed": [], "modified": []}, "annotations": {}},
    }
    if previous is not None:
        record["previous_version"] = previous
        record["previous_record_sha256"] = sha256((root / f"versions/{previous}.json").read_bytes())
    record_bytes = canonical_json(record)
    (root / "versions" / f"{version}.json").write_bytes(record_bytes)
    manifest = {"format": "mifa-manifest", "version": version, "version_record_sha256": sha256(record_bytes), "files": files}
    (root / "manifest.json").write_bytes(canonical_json(manifest))


def build_package(mifa, root: Path, work: Path, license="CC-BY-4.0") -> Path:
    """img1 (with `nuclei` labels) and img2, 64x64 uint16 in 16x16 chunks; the `cells` GeoJSON set; version 1."""
    work.mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(parents=True)
    for image, seed, label in (("img1", 1, True), ("img2", 5, False)):
        tiff = work / f"{image}.tif"
        tifffile.imwrite(tiff, image_pixels(seed))
        args = ["omezarr", "from-tiff", tiff, root / "images" / image, "--chunks", "16,16", "--levels", "2"]
        if label:
            mask = work / f"{image}-nuclei.tif"
            tifffile.imwrite(mask, nuclei_mask())
            args += ["--label", f"nuclei={mask}"]
        mifa(*args)
    (root / "annotations/cells").mkdir(parents=True)
    (root / "annotations/cells/annotations.geojson").write_text(json.dumps(cells_geojson()) + "\n")
    (root / "mifa.json").write_bytes(canonical_json(metadata(license)))
    (root / "zarr.json").write_text(ROOT_GROUP)
    write_version(root, "1", "2026-01-01T00:00:00Z")
    return root


def commit_version(root: Path, version: str, timestamp: str, path: str, data: bytes, annotators=None):
    """A new version replacing one content file (the old content kept as an object)."""
    manifest = json.loads((root / "manifest.json").read_text())
    target = root / path
    if target.exists():
        store_object(root, target.read_bytes())
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    write_version(root, version, timestamp, previous=manifest["version"], annotators=annotators, changes="edit")


def copy_package(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target
