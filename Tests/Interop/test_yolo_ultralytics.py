"""YOLO datasets in the Ultralytics layout (issue 20), written with Pillow and read back by a
Python reading that follows Ultralytics' rules (`img2label_paths`, list files, data.yaml)."""
import json
import os

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def img2label_path(image):
    """Ultralytics' `img2label_paths` for one image path."""
    sa, sb = "/images/", "/labels/"
    return sb.join(str(image).rsplit(sa, 1)).rsplit(".", 1)[0] + ".txt"


def make_ultralytics(root, rng):
    """An Ultralytics detection dataset written with Pillow: images/<split>/*.jpg of several sizes,
    labels/<split>/*.txt by the images/ -> labels/ rule (one image without a label file)."""
    from PIL import Image
    images = []
    for split, count in (("train", 4), ("val", 2)):
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
        for k in range(count):
            width, height = int(rng.integers(20, 90)), int(rng.integers(20, 90))
            path = root / "images" / split / f"{split}_{k}.jpg"
            Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(path)
            images.append(path)
            if split == "val" and k == 1:
                continue  # an image without objects has no label file
            lines = []
            for _ in range(int(rng.integers(1, 5))):
                bw, bh = rng.uniform(0.05, 0.5, 2)
                cx, cy = rng.uniform(bw / 2, 1 - bw / 2), rng.uniform(bh / 2, 1 - bh / 2)
                lines.append(f"{int(rng.integers(0, 3))} {cx:.6f} {cy:.6f} {bw:.6f} {bh:.6f}")
            (root / "labels" / split / f"{split}_{k}.txt").write_text("\n".join(lines) + "\n")
    return images


def python_boxes(images):
    """Boxes in pixels per image name, read as Ultralytics does (labels by the images/ -> labels/ rule)."""
    from PIL import Image
    boxes = {}
    for image in images:
        width, height = Image.open(image).size
        label = img2label_path(image)
        rows = np.loadtxt(label, ndmin=2) if os.path.exists(label) else np.zeros((0, 5))
        boxes[image.name] = sorted((int(c), (x - w / 2) * width, (y - h / 2) * height, w * width, h * height) for c, x, y, w, h in rows)
    return boxes


def mifa_boxes(document):
    names = {i["id"]: i["file_name"].rsplit("/", 1)[-1] for i in document["images"]}
    boxes = {name: [] for name in names.values()}
    for a in document["annotations"]:
        boxes[names[a["image_id"]]].append((a["category_id"], *a["bbox"]))
    return {name: sorted(b) for name, b in boxes.items()}


def assert_same_boxes(ours, theirs):
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert len(ours[name]) == len(theirs[name]), name
        for a, b in zip(ours[name], theirs[name]):
            assert a[0] == b[0] and np.allclose(a[1:], b[1:], rtol=0, atol=1e-9), (name, a, b)


@pytest.mark.parametrize("listing", ["folders", "data-yaml-folders", "data-yaml-lists", "list-files"])
def test_yolo_ultralytics_layout_pairs_images_and_labels(mifa, tmp_path, listing):
    rng = np.random.default_rng(20)
    root = tmp_path / "ds"
    images = make_ultralytics(root, rng)
    names = "names:\n  0: cell\n  1: debris\n  2: nucleus\n"
    if listing == "data-yaml-folders":
        (root / "data.yaml").write_text(f"path: .\ntrain: images/train\nval: images/val\n{names}")
    if listing in ("data-yaml-lists", "list-files"):
        for split in ("train", "val"):
            (root / f"{split}.txt").write_text("".join(f"./images/{split}/{p.name}\n" for p in images if f"/{split}/" in str(p)))
        if listing == "data-yaml-lists":
            (root / "data.yaml").write_text(f"path: {root}\ntrain: train.txt\nval: val.txt  # a comment\n{names}")
    proc, summary = mifa("convert", root, tmp_path / "out.json", "--to", "coco", "--json", parse_json=True)
    document = json.loads((tmp_path / "out.json").read_text())
    expected = python_boxes(images)
    assert summary["annotations"] == sum(len(b) for b in expected.values()) > 0
    assert_same_boxes(mifa_boxes(document), expected)
    if "yaml" in listing:
        assert [c["name"] for c in document["categories"]][:3] == ["cell", "debris", "nucleus"]


def test_yolo_labels_without_a_listed_image_are_refused(mifa, tmp_path):
    root = tmp_path / "ds"
    images = make_ultralytics(root, np.random.default_rng(5))
    (root / "train.txt").write_text("".join(f"images/train/{p.name}\n" for p in images if "/train/" in str(p)))
    proc = mifa("convert", root, tmp_path / "out.json", "--to", "coco", check=False)
    assert proc.returncode == 1 and "labels/val/val_0.txt" in proc.stderr and "pair with no image" in proc.stderr, proc.stderr
    assert not (tmp_path / "out.json").exists()
    (root / "train.txt").write_text("images/train/missing.jpg\n")
    proc = mifa("convert", root, tmp_path / "out.json", "--to", "coco", check=False)
    assert proc.returncode == 1 and "train.txt" in proc.stderr and "missing.jpg" in proc.stderr, proc.stderr
