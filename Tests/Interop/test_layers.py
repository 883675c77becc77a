"""The layers of DESIGN.md, checked on Package.swift: every dependency between our own targets points
down, and the rules stated beside the diagram hold (BatchLoader reads packages only through the
PackageLoading seam, so loader users do not link the package layer; MIFAModel depends on MIFACore
and Yams only; Annotations knows no Zarr; OMEZarr knows no annotation formats; nothing depends on
MIFAKitABI or MIFAServer but the CLI)."""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top, as DESIGN.md draws them (C shims below everything).
LAYERS = ["MIFACore", "RasterIO", "Zarr", "OMEZarr", "Annotations", "MIFAModel", "Rendering",
          "DatasetPackage", "BatchLoader", "PackageLoading", "MIFAKitABI", "MIFAServer", "mifa"]


def package_targets():
    out = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    targets = {}
    for target in json.loads(out)["targets"]:
        names = []
        for dependency in target["dependencies"]:
            (kind, value), = dependency.items()
            names.append(value[0])
        targets[target["name"]] = (target["type"], names)
    return targets


def closure(targets, name):
    seen, todo = set(), [name]
    while todo:
        for dependency in targets.get(todo.pop(), ("", []))[1]:
            if dependency not in seen:
                seen.add(dependency)
                todo.append(dependency)
    return seen


def test_every_arrow_points_down():
    targets = package_targets()
    library = {name for name, (kind, _) in targets.items() if kind in ("regular", "executable") and not name.startswith(("Fuzz", "C"))
               and name not in ("TestSupport", "ZarrBench", "AnnotationsBench", "FuzzSupport")}
    assert library == set(LAYERS), f"a module is missing from the layer list (DESIGN.md, 'Layers'): {sorted(library ^ set(LAYERS))}"
    for name in LAYERS:
        for dependency in targets[name][1]:
            if dependency in LAYERS:
                assert LAYERS.index(dependency) < LAYERS.index(name), f"{name} -> {dependency} points up"


def test_the_rules_beside_the_diagram():
    targets = package_targets()
    loader = closure(targets, "BatchLoader")
    assert not loader & {"DatasetPackage", "MIFAModel", "Yams"}, f"BatchLoader links the package layer: {sorted(loader)}"
    assert set(targets["MIFAModel"][1]) <= {"MIFACore", "Yams"}
    assert "Zarr" not in closure(targets, "Annotations")
    assert "Annotations" not in closure(targets, "OMEZarr")
    assert "DatasetPackage" not in closure(targets, "Rendering")
    for top in ("MIFAKitABI", "MIFAServer"):
        users = [name for name, (kind, deps) in targets.items() if top in deps and kind != "test"]
        assert set(users) <= {"mifa"}, f"{users} depend on {top}"
