"""Hostile annotation inputs: a few hundred bytes that claim a whole-slide canvas or a mask of
billions of rows. `mifa convert` must either do the work in bounded memory or refuse before
allocating, with a message naming the file, the size, the memory it would take and the limit; it
must never crash. Each run is confined to a bounded address space (RLIMIT_AS)."""
import json
import resource
import struct
import subprocess

import pytest

ADDRESS_SPACE = 1536 << 20  # far less than any of the canvases below


def run_bounded(mifa_bin, *args, limit=ADDRESS_SPACE, timeout=600):
    def confine():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([mifa_bin, *map(str, args)], capture_output=True, text=True, timeout=timeout, preexec_fn=confine)


def tiny_coco(path, width, height, annotation_id=1):
    document = {
        "images": [{"id": 1, "file_name": "slide.tif", "width": width, "height": height}],
        "annotations": [{"id": annotation_id, "image_id": 1, "category_id": 1, "iscrowd": 0,
                         "segmentation": [[10, 10, 90, 10, 90, 90, 10, 90]], "area": 6400, "bbox": [10, 10, 80, 80]}],
        "categories": [{"id": 1, "name": "tumour"}],
    }
    path.write_text(json.dumps(document))
    return path


def png_size(path):
    """Width and height from a PNG's IHDR, without decoding it."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("annotation_id", [1, 100000])  # 8-bit and 32-bit labels
def test_whole_slide_canvas_from_a_tiny_coco_is_bounded(mifa_bin, tmp_path, annotation_id):
    source = tiny_coco(tmp_path / "in.json", 46340, 46340, annotation_id)
    assert source.stat().st_size < 400
    proc = run_bounded(mifa_bin, "convert", source, tmp_path / "out", "--to", "mask-png")
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{proc.stderr}"
    if proc.returncode == 0:
        written = list((tmp_path / "out").glob("*.png")) or [tmp_path / "out"]
        assert png_size(written[0]) == (46340, 46340)
    else:
        message = proc.stderr
        assert "in.json" in message and "46340×46340" in message and "GiB" in message and "--budget-mb" in message, message


def test_budget_refuses_before_allocating_and_can_be_raised(mifa_bin, tmp_path):
    source = tiny_coco(tmp_path / "in.json", 4000, 3000)
    proc = run_bounded(mifa_bin, "convert", source, tmp_path / "out.npy", "--to", "npy", "--budget-mb", "1")
    assert proc.returncode == 1, proc.stderr
    assert "in.json" in proc.stderr and "4000×3000" in proc.stderr and "11.4 MiB" in proc.stderr and "1.0 MiB" in proc.stderr
    assert not (tmp_path / "out.npy").exists()
    proc = run_bounded(mifa_bin, "convert", source, tmp_path / "out.npy", "--to", "npy", "--budget-mb", "64")
    assert proc.returncode == 0, proc.stderr
    proc = run_bounded(mifa_bin, "convert", source, tmp_path / "bad.npy", "--to", "npy", "--budget-mb", "0")
    assert proc.returncode == 2 and "--budget-mb" in proc.stderr


@pytest.mark.parametrize("target", ["geojson", "mask-png", "npy"])
def test_rle_with_billions_of_rows_is_refused(mifa_bin, tmp_path, target):
    height, width = 2147483647, 2
    document = {
        "images": [{"id": 1, "file_name": "strip.png", "width": width, "height": height}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
                         "segmentation": {"size": [height, width], "counts": [height * width - 1, 1]}}],
        "categories": [{"id": 1, "name": "thing"}],
    }
    source = tmp_path / "rle.json"
    source.write_text(json.dumps(document))
    out = tmp_path / ("out.geojson" if target == "geojson" else "out")
    proc = run_bounded(mifa_bin, "convert", source, out, "--to", target, "--allow-lossy")
    assert proc.returncode == 1, f"exit {proc.returncode}\n{proc.stderr}"
    assert "rle.json" in proc.stderr and "2147483647" in proc.stderr and "--budget-mb" in proc.stderr, proc.stderr


@pytest.mark.parametrize("frame", ["1e300", "-3", "2.5", "9.3e18"])
def test_a_points_frame_that_is_no_index_is_refused(mifa_bin, tmp_path, frame):
    source = tmp_path / "points.csv"
    source.write_text(f"index,frame,axis-0,axis-1,axis-2\n0,{frame},{frame},10,12\n")
    proc = run_bounded(mifa_bin, "convert", source, tmp_path / "out.json", "--to", "coco", "--allow-lossy")
    assert proc.returncode == 1, f"exit {proc.returncode}\n{proc.stderr}"
    assert "points.csv" in proc.stderr and "frame index" in proc.stderr, proc.stderr
