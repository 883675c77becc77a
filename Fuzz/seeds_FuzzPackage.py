#!/usr/bin/env python3
"""Write a small corpus for the FuzzPackage target: usage seeds_FuzzPackage.py <corpus-dir>.

Each file is one mode byte followed by the input (see Fuzz/FuzzPackage/main.swift): mode 0, one
manifest or file list document; mode 1, a package of NUL-separated parts (manifest.json,
versions/1.json, versions/2.json, stored objects) whose every digest is right: an honest two-version
chain, and crafted ones whose file lists name paths that leave the package.
"""
import hashlib
import json
import sys
from pathlib import Path

ROOT_GROUP = b"""{
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


def canonical(value) -> bytes:
    """The package's canonical JSON (two-space indentation, sorted keys, `" : "`, final newline)."""
    return (json.dumps(value, indent=2, sort_keys=True, separators=(",", " : ")) + "\n").encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain(extra_path=None):
    """Parts of a two-version package; version 1's file list also names `extra_path` (with the
    digest of the root group's bytes), every digest recomputed as a forger would."""
    entry = {"bytes": len(ROOT_GROUP), "sha256": sha(ROOT_GROUP)}
    files1 = {"zarr.json": entry}
    if extra_path:
        files1[extra_path] = entry
    list1 = canonical({"files": files1})
    list2 = canonical({"files": {"zarr.json": entry}})
    summary = {"files": {"added": [], "removed": [], "modified": []}, "annotations": {}}
    record1 = canonical({"format": "mifa-version", "version": "1", "timestamp": "2026-01-01T00:00:00Z", "changes": "first",
                         "manifest_sha256": sha(list1), "file_count": len(files1), "total_bytes": len(ROOT_GROUP) * len(files1),
                         "credited_annotators": [], "credit_removed": [], "change_summary": summary})
    record2 = canonical({"format": "mifa-version", "version": "2", "timestamp": "2026-02-01T00:00:00Z", "changes": "second",
                         "previous_version": "1", "previous_record_sha256": sha(record1),
                         "manifest_sha256": sha(list2), "file_count": 1, "total_bytes": len(ROOT_GROUP),
                         "credited_annotators": [], "credit_removed": [], "change_summary": summary})
    manifest = canonical({"format": "mifa-manifest", "version": "2", "version_record_sha256": sha(record2),
                          "files": {"zarr.json": entry}})
    return [manifest, record1, record2, list1, list2, ROOT_GROUP]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, extra in [("honest", None), ("dotdot", "images/../../../../escaped"), ("absolute", "/tmp/escaped"),
                        ("outside-content", "versions/1.json"), ("backslash", "images\\..\\x")]:
        parts = chain(extra)
        (out / f"seed-package-{name}").write_bytes(b"\x01" + b"\x00".join(parts))
        (out / f"seed-list-{name}").write_bytes(b"\x00" + parts[3])
    (out / "seed-manifest").write_bytes(b"\x00" + chain()[0])


if __name__ == "__main__":
    main()
