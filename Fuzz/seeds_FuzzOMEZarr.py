#!/usr/bin/env python3
"""Write a small corpus for the FuzzOMEZarr target: usage seeds_FuzzOMEZarr.py <corpus-dir>.

Each file is one mode byte followed by the input (see Fuzz/FuzzOMEZarr/main.swift): every document of
the official OME-NGFF 0.4 and 0.5 suites and examples (mode 0), 0.5 `zarr.json` and 0.4 `.zattrs`
image documents over the target's fixed arrays `0` and `1` (axes c, y, x; modes 1 and 2). Deterministic, so the corpus is the same on every run.
"""
import json
import sys
from pathlib import Path


NGFF = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "ngff"


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)

    def seed(name: str, mode: int, payload: bytes) -> None:
        (out / f"seed-{name}").write_bytes(bytes([mode]) + payload)

    if NGFF.exists():
        for suite in sorted(NGFF.glob("*/tests/*_suite.json")):
            for index, case in enumerate(json.loads(suite.read_text())["tests"]):
                seed(f"suite-{suite.parent.parent.name}-{suite.stem}-{index}", 0, json.dumps(case["data"]).encode())
        for example in sorted(NGFF.glob("*/examples/*/*.json")):
            text = "\n".join(line for line in example.read_text().splitlines() if not line.lstrip().startswith("//"))
            document = json.loads(text)
            seed(f"example-{example.parent.parent.parent.name}-{example.parent.name}-{example.stem}", 0,
                 json.dumps(document.get("attributes", document)).encode())

    axes = [{"name": "c", "type": "channel"}, {"name": "y", "type": "space", "unit": "micrometer"},
            {"name": "x", "type": "space", "unit": "micrometer"}]
    datasets = [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1, 0.5, 0.5]}]},
                {"path": "1", "coordinateTransformations": [{"type": "scale", "scale": [1, 1, 1]},
                                                            {"type": "translation", "translation": [0, 0.25, 0.25]}]}]
    omero = {"channels": [{"color": "FF0000", "window": {"min": 0, "max": 65535, "start": 0, "end": 10}, "label": "a"},
                          {"color": "00FF00", "window": {"min": 0, "max": 65535, "start": 0, "end": 10}, "label": "b"}]}
    label = {"colors": [{"label-value": 3, "rgba": [1, 2, 3, 255]}], "properties": [{"label-value": 3, "class": "x"}],
             "source": {"image": "../../"}}
    for variant, extra in [("plain", {}), ("omero", {"omero": omero}), ("label", {"image-label": label}),
                           ("labels", {"labels": ["cells"]}), ("global", {})]:
        multiscale = {"name": "fuzz", "axes": axes, "datasets": datasets, "type": "mean", "metadata": {}}
        if variant == "global":
            multiscale["coordinateTransformations"] = [{"type": "scale", "scale": [1, 2, 2]}]
        ome = {"version": "0.5", "multiscales": [multiscale], **extra}
        seed(f"v05-{variant}", 1, json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {"ome": ome}}).encode())
        old = {"multiscales": [{**multiscale, "version": "0.4"}], **extra}
        if "image-label" in old:
            old["image-label"] = {**label, "version": "0.4"}
        seed(f"v04-{variant}", 2, json.dumps(old).encode())

if __name__ == "__main__":
    main()
