"""Shared fixtures of the Python package's tests: the `mifa` binary, the packed nuclei sample, and
OME-Zarr images of every pixel type written by ome-zarr-py (Tests/Interop/omezarr_helpers.py)."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))

from omezarr_helpers import write_with_ome_zarr_py  # noqa: E402

# Every pixel type the loader reads (all numeric types; bool is not sampled), with a label type each.
IMAGE_TYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
LABEL_TYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"]


def pytest_configure(config):
    # ome-zarr-py warns about its own deprecated defaults when the helper writes images.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:ome_zarr.*")


@pytest.fixture(scope="session")
def mifa_bin() -> str:
    path = os.environ.get("MIFA_BIN", str(ROOT / ".build" / "debug" / "mifa"))
    if not Path(path).exists():
        pytest.fail(f"mifa binary not found at {path}: run `swift build` (or `make test`) first")
    return path


@pytest.fixture(scope="session")
def nuclei(tmp_path_factory, mifa_bin) -> Path:
    """The nuclei sample packed into a MIFA package (as notebook 01 does)."""
    sample = ROOT / "Samples" / "nuclei"
    if not (sample / "images").is_dir():
        pytest.fail("the samples are not generated: run `make samples` first")
    package = tmp_path_factory.mktemp("nuclei") / "nuclei.mifa"
    subprocess.run([mifa_bin, "pack", sample, package, "--metadata", sample / "mifa.yaml", "--file-list", sample / "files.tsv"],
                   check=True, capture_output=True)
    return package


def random_pixels(rng, dtype, shape):
    kind = np.dtype(dtype)
    if kind.kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(kind)
    info = np.iinfo(kind)
    return rng.integers(max(info.min, -(1 << 40)), min(info.max, 1 << 40), size=shape, dtype=kind, endpoint=True)


def write_images(folder: Path, dtype: str, label_dtype: str, axes: str, count: int = 2, seed: int = 0) -> Path:
    """`count` OME-Zarr 0.5 images of `dtype` (2 channels; axes "cyx" or "czyx"), each with a label
    image `cells` of `label_dtype`, 32-pixel chunks, 3 levels."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        spatial = (90 + 7 * k, 75 + 5 * k) if axes == "cyx" else (6 + k, 50 + 4 * k, 44 + 3 * k)
        image = random_pixels(rng, dtype, (2, *spatial))
        labels = (rng.integers(0, 5, size=spatial) * (rng.random(spatial) < 0.4)).astype(label_dtype)
        scale = {a: 1.0 for a in axes}
        units = {a: "micrometer" for a in axes if a != "c"}
        write_with_ome_zarr_py(folder / f"im{k}.zarr", "0.5", image, labels, axes, scale, units)
    return folder


@pytest.fixture(scope="session")
def typed_images(tmp_path_factory):
    """A factory of image folders by (dtype, label dtype, axes), each written once."""
    made = {}

    def make(dtype: str, label_dtype: str, axes: str = "cyx") -> Path:
        key = (dtype, label_dtype, axes)
        if key not in made:
            made[key] = write_images(tmp_path_factory.mktemp(f"{dtype}-{axes}"), dtype, label_dtype, axes,
                                     seed=IMAGE_TYPES.index(dtype))
        return made[key]

    return make


def read_region(path: str, region, level: int = 0, label: str | None = None, t: int | None = None) -> np.ndarray:
    """zarr-python's read of `region` (spatial [start, stop) pairs) of an OME-Zarr level, all
    channels, zeros outside the array (as the loader pads)."""
    import zarr
    group = zarr.open_group(path, mode="r")
    if label:
        group = group[f"labels/{label}"]
    attributes = group.attrs.asdict()
    multiscales = attributes.get("ome", attributes)["multiscales"]
    array = group[multiscales[0]["datasets"][level]["path"]]
    spatial = len(region)
    lead = array.ndim - spatial  # c (image) or nothing (label)
    shape = list(array.shape[:lead]) + [b - a for a, b in region]
    out = np.zeros(shape, array.dtype)
    src, dst = [slice(None)] * lead, [slice(None)] * lead
    for (a, b), n in zip(region, array.shape[lead:]):
        lo, hi = max(a, 0), min(b, n)
        if hi <= lo:
            return out
        src.append(slice(lo, hi))
        dst.append(slice(lo - a, hi - a))
    out[tuple(dst)] = array[tuple(src)]
    return out
