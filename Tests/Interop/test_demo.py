"""`mifa demo` runs from a clean state and tells each user's step; what it writes opens in the reference tools."""
import json

import numpy as np
import tifffile


def test_demo_runs_and_keeps_its_files(mifa, tmp_path):
    out = tmp_path / "demo"
    proc = mifa("demo", "--output", out)
    text = proc.stdout
    assert "7 errors found at once" in text
    assert "valid MIFA" in text
    assert "read back identical" in text
    image = tifffile.imread(out / "IM1.tif")
    assert image.shape == (1024, 1024) and image.dtype == np.uint16
    meta = json.loads((out / "IM1.zarr" / "image" / "zarr.json").read_text())
    assert meta["shape"] == [1024, 1024] and meta["data_type"] == "uint16"


def test_demo_without_samples_fails_cleanly(mifa, tmp_path):
    proc = mifa("demo", "--samples", tmp_path, check=False)
    assert proc.returncode == 1
    assert "nuclei/mifa.yaml" in proc.stderr or "Samples" in proc.stderr or "no such file" in proc.stderr.lower()
