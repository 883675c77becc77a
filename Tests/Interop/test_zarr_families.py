"""Zarr as zarr-python writes it (issue 20): v2 `fill_value: null` reported as null and read as
zarr-python reads it; a group with an unsupported child still described, the child marked with
the reason; messages say what a CLI user can do, not which Swift function to call."""
import json
import re
from pathlib import Path

import numcodecs
import numpy as np
import zarr

ROOT = Path(__file__).resolve().parents[2]


def test_v2_fill_value_null_is_reported_and_read_as_zarr_python(mifa, tmp_path):
    path = tmp_path / "nofill.zarr"
    for dtype in ("int32", "float64", "bool"):
        array = zarr.create_array(str(path / dtype), shape=(6, 5), chunks=(3, 5), dtype=dtype, fill_value=None, zarr_format=2)
        array[0:3] = np.arange(15).reshape(3, 5).astype(dtype)           # the second chunk is never written
        assert json.loads((path / dtype / ".zarray").read_text())["fill_value"] is None
        reopened = zarr.open_array(str(path / dtype))
        _, info = mifa("zarr", "info", path / dtype, "--json", parse_json=True)
        assert info["fill_value"] is None and reopened.metadata.fill_value is None, (dtype, info["fill_value"])
        mifa("zarr", "export", path / dtype, tmp_path / f"{dtype}.npy")
        np.testing.assert_array_equal(np.load(tmp_path / f"{dtype}.npy"), reopened[:])
        assert "fill value   null" in mifa("zarr", "info", path / dtype).stdout


def test_group_with_an_unsupported_child_is_listed(mifa, tmp_path):
    path = tmp_path / "group.zarr"
    root = zarr.open_group(str(path), mode="w", zarr_format=2)
    root.create_array("good", shape=(4,), chunks=(2,), dtype="uint8")[:] = np.arange(4, dtype=np.uint8)
    odd = root.create_array("quantized", shape=(4,), chunks=(2,), dtype="float64",
                            filters=[numcodecs.Quantize(digits=2, dtype="float64")])
    odd[:] = np.linspace(0, 1, 4)
    proc, info = mifa("zarr", "info", path, "--json", parse_json=True)
    children = {c["name"]: c for c in info["children"]}
    assert set(children) == {"good", "quantized"} == set(root.array_keys())
    assert children["good"]["node_type"] == "array" and children["good"]["shape"] == [4]
    assert children["quantized"]["supported"] is False and "quantize" in children["quantized"]["reason"].lower(), children
    text = mifa("zarr", "info", path).stdout
    assert "quantized: not supported" in text and "good: Zarr v2 array" in text, text
    # The child itself is still refused (exit 1) with the reason.
    proc = mifa("zarr", "info", path / "quantized", check=False)
    assert proc.returncode == 1 and "quantize" in proc.stderr.lower()


def test_messages_name_what_the_user_can_do(mifa, tmp_path):
    array = zarr.create_array(str(tmp_path / "c.zarr"), shape=(3,), chunks=(3,), dtype="complex64", zarr_format=3)
    array[:] = np.arange(3) * (1 + 1j)
    proc = mifa("zarr", "export", tmp_path / "c.zarr", tmp_path / "c.npy", check=False)
    assert proc.returncode == 1 and "c.zarr" in proc.stderr and "zarr-python" in proc.stderr, proc.stderr
    assert "readBytes" not in proc.stderr and "NDArray" not in proc.stderr
    # No error message in the sources tells the user to call a Swift function.
    internal = re.compile(r'(?:Error\(|throw |error\()[^\n]*"[^"\n]*\b(?:readBytes|readPage|readStack|readRaw)\b')
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "Sources").rglob("*.swift")
             for n, line in enumerate(p.read_text().splitlines(), 1) if internal.search(line) and not line.strip().startswith("///")]
    assert found == [], found
