"""Label images that mark "ignore" with -1, as VOC-style masks do (issue 20): a negative value is
no object. Without `--ignore-label` the file is refused naming the value; with it those pixels are
background, counted in the output, and every object matches pycocotools' encoding of the mask."""
import json

import numpy as np
import pytest
import tifffile
from pycocotools import mask as mask_utils

from annotations_helpers import random_label_image

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("writer", ["tiff", "npy"])
def test_negative_labels_are_refused_unless_ignored(mifa, tmp_path, writer):
    rng = np.random.default_rng(1)
    labels = random_label_image(rng, 41, 37, 6).astype(np.int16)
    labels[rng.random(labels.shape) < 0.08] = -1          # VOC's "ignore" (boundaries, difficult objects)
    path = tmp_path / ("voc.tif" if writer == "tiff" else "voc.npy")
    tifffile.imwrite(path, labels) if writer == "tiff" else np.save(path, labels)

    proc = mifa("convert", path, tmp_path / "out.json", "--coco-masks", "rle", check=False)
    assert proc.returncode == 1 and "-1" in proc.stderr and "--ignore-label -1" in proc.stderr and path.name in proc.stderr, proc.stderr
    assert not (tmp_path / "out.json").exists()

    proc, summary = mifa("convert", path, tmp_path / "out.json", "--coco-masks", "rle", "--ignore-label", "-1", "--json", parse_json=True)
    ignored = int((labels == -1).sum())
    assert any(w["code"] == "ignored" and f"{ignored} pixels" in w["message"] for w in summary["warnings"]), summary
    proc = mifa("convert", path, tmp_path / "out2.json", "--coco-masks", "rle", "--ignore-label=-1")
    assert f"{ignored} pixels with the ignore value -1" in proc.stderr, proc.stderr
    document = json.loads((tmp_path / "out.json").read_text())
    values = [v for v in np.unique(labels) if v > 0]
    assert sorted(a["label"] for a in document["annotations"]) == values
    for annotation in document["annotations"]:
        expected = mask_utils.encode(np.asfortranarray((labels == annotation["label"]).astype(np.uint8)))
        assert annotation["segmentation"]["counts"] == expected["counts"].decode()

    labels[0, 0] = -3                                          # another negative value is still refused
    np.save(tmp_path / "two.npy", labels)
    proc = mifa("convert", tmp_path / "two.npy", tmp_path / "two.json", "--ignore-label", "-1", check=False)
    assert proc.returncode == 1 and "negative value -3" in proc.stderr, proc.stderr
