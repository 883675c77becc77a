#!/usr/bin/env python3
"""Write a small corpus for the FuzzZip target: usage seeds_FuzzZip.py <corpus-dir>.

Each file is a whole zip made with Python's zipfile: a small Zarr v3 array stored and deflated, a
zip with a comment holding an end-of-directory signature, a folder-rooted zip, and a zip64 one.
Deterministic (fixed timestamps and contents), so the corpus is the same on every run.
"""
import io
import json
import sys
import zipfile
from pathlib import Path

STAMP = (2024, 1, 1, 0, 0, 0)


def make(entries, compression=zipfile.ZIP_STORED, comment=b"", force_zip64=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, allowZip64=True) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = compression
            with archive.open(info, "w", force_zip64=force_zip64) as handle:
                handle.write(data)
        archive.comment = comment
    return buffer.getvalue()


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    array = json.dumps({"zarr_format": 3, "node_type": "array", "shape": [4, 4], "data_type": "uint8",
                        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}},
                        "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
                        "codecs": [{"name": "bytes"}]}).encode()
    entries = [("zarr.json", array), ("c/0/0", bytes(range(16)))]
    seeds = {
        "stored": make(entries),
        "deflated": make(entries, zipfile.ZIP_DEFLATED),
        "comment-with-signature": make(entries, comment=b"made by PK\x05\x06 a tool"),
        "folder": make([("image.zarr/" + name, data) for name, data in entries], zipfile.ZIP_DEFLATED),
        "zip64": make(entries, zipfile.ZIP_DEFLATED, force_zip64=True),
        "empty": make([]),
    }
    for name, data in seeds.items():
        (out / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
