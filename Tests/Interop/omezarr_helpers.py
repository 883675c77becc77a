"""Helpers for the OME-Zarr interop tests: reference pyramids, the official schemas, ome-zarr-py I/O."""
import json
from pathlib import Path

import numpy as np
import zarr
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
NGFF = ROOT.parent / "shared" / "conformance" / "ngff"


def _blocks(array, halved):
    """The 2-blocks of `array` along the `halved` axes as a list of arrays (edge blocks repeat their last
    existing element, marked by a mask)."""
    parts = [(array, np.ones(array.shape, dtype=bool))]
    for axis in halved:
        new = []
        for data, mask in parts:
            n = data.shape[axis]
            even = np.take(data, range(0, n, 2), axis=axis)
            even_mask = np.take(mask, range(0, n, 2), axis=axis)
            odd_index = [min(i + 1, n - 1) for i in range(0, n, 2)]
            odd = np.take(data, odd_index, axis=axis)
            odd_mask = np.take(mask, odd_index, axis=axis) & np.array([i + 1 < n for i in range(0, n, 2)]).reshape(
                [-1 if a == axis else 1 for a in range(data.ndim)])
            new += [(even, even_mask), (odd, odd_mask)]
        parts = new
    return parts


def reduce_mean(array, halved):
    """One level of MIFAKit's mean pyramid: exact block mean, rounded half to even (integers)."""
    parts = _blocks(array, halved)
    if np.issubdtype(array.dtype, np.floating):
        total = sum(np.where(m, d.astype(np.float64), 0.0) for d, m in parts)
        count = sum(m.astype(np.int64) for _, m in parts)
        return (total / count).astype(array.dtype)
    total = sum(np.where(m, d.astype(np.int64), 0) for d, m in parts)
    count = sum(m.astype(np.int64) for _, m in parts)
    quotient, remainder = np.divmod(total, count)
    up = (2 * remainder > count) | ((2 * remainder == count) & (quotient % 2 == 1))
    return (quotient + up).astype(array.dtype)


def reduce_mode(array, halved):
    """One level of MIFAKit's label pyramid: the most frequent block value; ties to non-zero, then smaller."""
    parts = _blocks(array, halved)
    values = np.stack([d for d, _ in parts]).astype(np.int64)
    masks = np.stack([m for _, m in parts])
    best = values[0].copy()
    best_count = np.zeros(best.shape, dtype=np.int64)
    for i in range(len(parts)):
        candidate = values[i]
        count = sum(((values[j] == candidate) & masks[j]).astype(np.int64) for j in range(len(parts)))
        count = np.where(masks[i], count, -1)
        better = (count > best_count) | ((count == best_count) & (
            ((candidate != 0) & (best == 0)) | (((candidate != 0) == (best != 0)) & (candidate < best))))
        best = np.where(better, candidate, best)
        best_count = np.where(better, count, best_count)
    return best.astype(array.dtype)


def pyramid(array, levels, halved, mode=False):
    result = [array]
    for _ in range(levels - 1):
        result.append((reduce_mode if mode else reduce_mean)(result[-1], halved))
    return result


def registry(version):
    """The local schemas of one version, registered by their $id (no network)."""
    reg = Registry()
    schemas = {}
    for path in (NGFF / version / "schemas").glob("*.schema"):
        schema = json.loads(path.read_text())
        schemas[path.name] = schema
        reg = reg.with_resource(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
    return reg, schemas


def validator(version, name):
    reg, schemas = registry(version)
    return Draft202012Validator(schemas[name], registry=reg)


def attributes(path):
    """The attributes of a Zarr group (v2 .zattrs or v3 zarr.json)."""
    path = Path(path)
    if (path / "zarr.json").exists():
        return json.loads((path / "zarr.json").read_text()).get("attributes", {})
    zattrs = path / ".zattrs"
    return json.loads(zattrs.read_text()) if zattrs.exists() else {}


def read_levels_with_ome_zarr_py(path):
    """Every node ome-zarr-py's Reader finds: {label-or-image name: [numpy level arrays]} and metadata."""
    from ome_zarr.io import parse_url
    from ome_zarr.reader import Reader

    nodes = list(Reader(parse_url(str(path)))())
    result = {}
    for node in nodes:
        if not node.data:
            continue
        key = "image" if node.zarr.path.rstrip("/") == str(path).rstrip("/") else Path(node.zarr.path.rstrip("/")).name
        result[key] = ([np.asarray(level) for level in node.data], node.metadata)
    return result


def write_with_ome_zarr_py(path, version, image, labels, axes, scale, units):
    """An image and one label image `cells` written by ome-zarr-py in NGFF `version`."""
    from ome_zarr.format import FormatV04, FormatV05
    from ome_zarr.writer import write_image, write_labels

    fmt = FormatV04() if version == "0.4" else FormatV05()
    group = zarr.open_group(str(path), mode="w", zarr_format=fmt.zarr_format)
    chunks = tuple([1] * (image.ndim - 2) + [32, 32])
    write_image(image, group, fmt=fmt, axes=axes, scale=scale, axes_units=units, scale_factors=(2, 4),
                storage_options={"chunks": chunks})
    label_axes = axes.replace("c", "")
    write_labels(labels, group, name="cells", fmt=fmt, axes=label_axes, scale_factors=(2, 4),
                 scale={a: scale[a] for a in label_axes},
                 label_metadata={"colors": [{"label-value": int(v), "rgba": [255, 0, 0, 255]} for v in np.unique(labels) if v]})
    return group
