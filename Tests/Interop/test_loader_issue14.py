"""Issue 14, "Nothing lost in silence", the loader part, through the CLI: splits from the sample's own
file list (packed into mifa.json, honoured by `mifa bench --split`, described in Croissant, audited),
labels that do not exist refused, padding and 3-D patches on 2-D images said or refused, a damaged
chunk never reported as a complete epoch, one word per idea (--threads, --set), and saved patches
that say which set and which object their shapes came from."""
import json
import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "Samples" / "nuclei"


@pytest.fixture(scope="module")
def package(tmp_path_factory, mifa):
    if not (SAMPLES / "images" / "IM1.tif").exists():
        pytest.fail("the nuclei sample is not generated: run `make samples`")
    package = tmp_path_factory.mktemp("issue14") / "nuclei.mifa"
    mifa("pack", SAMPLES, package, "--metadata", SAMPLES / "mifa.yaml", "--file-list", SAMPLES / "files.tsv")
    return package


def bench(mifa, *args):
    _, report = mifa("bench", *map(str, args), "--json", parse_json=True)
    return report


# ----------------------------------------------------------------------------- splits

def test_pack_carries_the_samples_test_image_into_mifa_json(package):
    """The sample keeps IM6 for testing (files.tsv's Split column); before, mifa.json had no split."""
    images = json.loads((package / "mifa.json").read_text())["images"]
    assert {image["id"]: image.get("split") for image in images} == {
        "IM1": "train", "IM2": "train", "IM3": "train", "IM4": "train", "IM5": "train", "IM6": "test"}


def test_bench_split_train_never_yields_a_test_image(mifa, package, tmp_path):
    """Before: IM6 (kept for testing) supplied about a sixth of the training patches."""
    out = tmp_path / "train"
    report = bench(mifa, package, "--split", "train", "--patch", "64,64", "--batch", "16", "--samples", "400", "--seed", "3",
                   "--label", "set1", "--save-batches", out, "--save-count", "25")
    assert report["images"] == 5 and report["image_names"] == ["IM1", "IM2", "IM3", "IM4", "IM5"]
    assert report["images_without_label"] == []
    seen = {patch["image"] for saved in out.glob("batch-*.json") for patch in json.loads(saved.read_text())["patches"]}
    assert seen == {"IM1", "IM2", "IM3", "IM4", "IM5"}
    test = bench(mifa, package, "--split", "test", "--patch", "64,64", "--batch", "4", "--samples", "8")
    assert test["image_names"] == ["IM6"]
    # Without --split, every image, as before.
    assert bench(mifa, package, "--patch", "64,64", "--batch", "4", "--samples", "8")["images"] == 6


def test_an_unknown_split_or_a_split_of_plain_images_is_refused(mifa, package, tmp_path):
    proc = mifa("bench", package, "--split", "validation", "--patch", "64,64", check=False)
    assert proc.returncode == 1 and "'validation'" in proc.stderr and "test, train" in proc.stderr, proc.stderr
    proc = mifa("bench", package / "images" / "IM1", "--split", "train", "--patch", "64,64", check=False)
    assert proc.returncode == 1 and "split (train)" in proc.stderr and "not a package" in proc.stderr, proc.stderr


def test_croissant_describes_the_splits(mifa, package, tmp_path):
    import mlcroissant as mlc
    out = tmp_path / "croissant.json"
    mifa("export", package, "--to", "croissant", out)
    document = json.loads(out.read_text())
    record_sets = {r["@id"]: r for r in document["recordSet"]}
    assert record_sets["splits"]["dataType"] == "cr:Split"
    assert {row["splits/name"]: row["splits/url"] for row in record_sets["splits"]["data"]} == {
        "test": "cr:TestSplit", "train": "cr:TrainingSplit"}
    assert {row["images/image_id"]: row["images/split"] for row in record_sets["images"]["data"]}["IM6"] == "test"
    split_field = next(f for f in record_sets["images"]["field"] if f["name"] == "split")
    assert split_field["references"] == {"field": {"@id": "splits/name"}}
    dataset = mlc.Dataset(jsonld=str(out))
    assert not dataset.metadata.issues.errors and not dataset.metadata.issues.warnings, dataset.metadata.issues.report()
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    shutil.copy(out, copy / "croissant.json")
    loaded = mlc.Dataset(jsonld=str(copy / "croissant.json"))
    splits = {}
    for row in loaded.records("images"):
        image_id, split = row["images/image_id"], row["images/split"]
        splits[image_id.decode() if isinstance(image_id, bytes) else image_id] = split.decode() if isinstance(split, bytes) else split
    assert splits == {"IM1": "train", "IM2": "train", "IM3": "train", "IM4": "train", "IM5": "train", "IM6": "test"}


def test_pack_refuses_an_image_put_in_two_splits(mifa, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SAMPLES, source)
    lines = (source / "files.tsv").read_text().splitlines()
    lines = [line[: -len("train")] + "test" if line.startswith("masks/IM2.tif") else line for line in lines]
    (source / "files.tsv").write_text("\n".join(lines) + "\n")
    proc = mifa("pack", source, tmp_path / "pkg", "--metadata", source / "mifa.yaml", "--file-list", source / "files.tsv", check=False)
    assert proc.returncode == 1, proc.stderr
    assert "image 'IM2' is put in 2 splits" in proc.stderr and "masks/IM2.tif" in proc.stderr, proc.stderr
    assert not (tmp_path / "pkg").exists()


def test_audit_finds_an_image_in_two_splits(mifa, package, tmp_path):
    """A new version's metadata moves IM6 to train while the file list packed it as test."""
    root = tmp_path / "pkg"
    shutil.copytree(package, root)
    metadata = json.loads((root / "mifa.json").read_text())
    next(image for image in metadata["images"] if image["id"] == "IM6")["split"] = "train"
    (tmp_path / "moved.json").write_text(json.dumps(metadata))
    mifa("version", root, "--version", "1.1", "--changes", "IM6 moved to train", "--metadata", tmp_path / "moved.json")
    proc, report = mifa("audit", root, "--json", parse_json=True, check=False)
    assert proc.returncode == 1
    findings = [f for f in report["findings"] if f["code"] == "image-in-two-splits"]
    assert len(findings) == 1 and findings[0]["severity"] == "error", report["findings"]
    assert "'IM6'" in findings[0]["message"] and "'test'" in findings[0]["message"] and "'train'" in findings[0]["message"]
    proc, clean = mifa("audit", package, "--json", parse_json=True, check=False)
    assert not [f for f in clean["findings"] if f["code"] == "image-in-two-splits"]


# ----------------------------------------------------------------------------- labels, patches

def test_a_label_that_does_not_exist_is_refused(mifa, package):
    """Before: `--label set9` streamed batches without masks and exited 0."""
    proc = mifa("bench", package, "--label", "set9", "--patch", "64,64", "--samples", "4", check=False)
    assert proc.returncode == 1 and "'set9'" in proc.stderr and "set1" in proc.stderr, proc.stderr


def test_a_vector_set_given_as_label_is_refused(mifa, package):
    """Before: a label name that exists only as vector annotations streamed no masks, exit 0."""
    proc = mifa("bench", package, "--label", "set3", "--patch", "64,64", "--samples", "4", check=False)
    assert proc.returncode == 1 and "vector annotation set" in proc.stderr and "--set set3" in proc.stderr, proc.stderr


def test_images_without_the_label_are_named_on_stderr(mifa, package):
    proc, report = mifa("bench", package, "--label", "set1", "--patch", "64,64", "--samples", "4", "--json", parse_json=True)
    assert report["images_without_label"] == ["IM6"]
    assert "IM6" in proc.stderr and "background" in proc.stderr


def test_padding_is_said_and_a_3d_patch_on_2d_images_is_refused(mifa, package):
    """Before: a patch larger than the image was zero-padded silently; a 3-D patch on 2-D images ran."""
    proc, report = mifa("bench", package, "--split", "train", "--patch", "600,64", "--samples", "4", "--json", parse_json=True)
    assert report["padded_images"] == ["IM1", "IM2", "IM3", "IM4", "IM5"]
    assert "padded with zeros" in proc.stderr and "IM1" in proc.stderr
    proc, report = mifa("bench", package, "--patch", "64,64", "--samples", "4", "--json", parse_json=True)
    assert report["padded_images"] == [] and "padded" not in proc.stderr
    proc = mifa("bench", package, "--patch", "4,64,64", "--samples", "4", check=False)
    assert proc.returncode == 1 and "3-D" in proc.stderr and "2-D" in proc.stderr and "padded" not in proc.stderr, proc.stderr


def test_a_damaged_chunk_fails_the_run_instead_of_ending_the_epoch(mifa, package, tmp_path):
    root = tmp_path / "pkg"
    shutil.copytree(package, root)
    chunk = next(p for p in sorted((root / "images" / "IM3" / "0").rglob("*")) if p.is_file() and p.name != "zarr.json")
    chunk.write_bytes(b"\x01\x02\x03\x04\x05")
    proc = mifa("bench", root, "--patch", "512,512", "--batch", "1", "--samples", "30", "--seed", "1", "--json", check=False)
    assert proc.returncode == 1, proc.stdout
    error = json.loads(proc.stdout)
    assert "IM3" in json.dumps(error) or "chunk" in error.get("message", ""), error


# ----------------------------------------------------------------------------- words and origins

def test_threads_and_set_are_the_words_with_the_old_ones_as_aliases(mifa, package):
    common = ("--patch", "64,64", "--batch", "4", "--samples", "16", "--seed", "5")
    new = bench(mifa, package, *common, "--threads", "3", "--set", "set3")
    old = bench(mifa, package, *common, "--workers", "3", "--annotations", "set3")
    assert new["digest"] == old["digest"] and new["threads"] == old["threads"] == 3
    help_text = mifa("bench", "--help").stdout
    assert "--threads" in help_text and "--set" in help_text


def test_saved_patches_say_which_set_and_object_their_shapes_came_from(mifa, package, tmp_path):
    out = tmp_path / "saved"
    bench(mifa, package, "--split", "train", "--patch", "128,128", "--batch", "8", "--samples", "16", "--set", "set3", "--set", "set2",
          "--save-batches", out, "--save-count", "2")
    ids = {}
    for set_id in ("set3", "set2"):  # the loader numbers each image's shapes set after set, in the order given
        for feature in json.loads((package / "annotations" / set_id / "annotations.geojson").read_text())["features"]:
            ids.setdefault(feature["properties"]["image_id"], []).append((set_id, feature["id"]))
    checked = set()
    for saved in sorted(out.glob("batch-*.json")):
        document = json.loads(saved.read_text())
        assert "image_shape" in document and "imageShape" not in document
        for patch in document["patches"]:
            for annotation in patch["annotations"]:
                assert (annotation["set"], annotation["source_id"]) == tuple(ids[patch["image"]][annotation["annotation"]])
                checked.add(annotation["set"])
            kinds = {type(a["source_id"]) for a in patch["annotations"] if a["set"] == "set2"}
            assert kinds <= {int}  # COCO's integer ids stay numbers; QuPath's UUIDs are strings
    assert checked == {"set2", "set3"}


def test_an_object_the_loader_cannot_place_is_refused_not_dropped(mifa, package, tmp_path):
    """Before: a feature without image_id (in a set of several images), or naming an image the package
    lacks, was skipped in silence and its patches came without it."""
    for change, expected in ((lambda p: p.pop("image_id"), "names no source image"),
                             (lambda p: p.update(image_id="IM9"), "'IM9'")):
        root = tmp_path / expected.replace("'", "").replace(" ", "_")
        shutil.copytree(package, root)
        path = root / "annotations" / "set3" / "annotations.geojson"
        document = json.loads(path.read_text())
        change(document["features"][2]["properties"])
        path.write_text(json.dumps(document))
        proc = mifa("bench", root, "--set", "set3", "--patch", "64,64", "--samples", "4", check=False)
        assert proc.returncode == 1 and "feature 2" in proc.stderr and expected in proc.stderr, proc.stderr
        # Leaving the set out is how to say what is meant.
        mifa("bench", root, "--set", "set2", "--patch", "64,64", "--samples", "4")


def test_lines_that_patches_cannot_carry_are_counted_on_stderr(mifa, package, tmp_path):
    root = tmp_path / "pkg"
    shutil.copytree(package, root)
    path = root / "annotations" / "set3" / "annotations.geojson"
    document = json.loads(path.read_text())
    feature = document["features"][0]
    feature["geometry"] = {"type": "LineString", "coordinates": [[10, 10], [40, 30]]}
    path.write_text(json.dumps(document))
    proc, report = mifa("bench", root, "--set", "set3", "--patch", "64,64", "--samples", "4", "--json", parse_json=True)
    assert report["annotations_not_carried"] == {feature["properties"]["image_id"]: 1}
    assert "do not carry" in proc.stderr, proc.stderr


def test_the_sheets_file_level_metadata_can_give_the_split(mifa, tmp_path):
    """Splits from the sheet (file_metadata[].split), without a Split column; a contradiction is refused."""
    import yaml
    source = tmp_path / "source"
    shutil.copytree(SAMPLES, source)
    rows = (source / "files.tsv").read_text().splitlines()
    (source / "files.tsv").write_text("\n".join(row.rsplit("\t", 1)[0] for row in rows) + "\n")
    sheet = yaml.safe_load((source / "mifa.yaml").read_text())
    for entry in sheet["annotations"][0]["file_metadata"]:
        entry["split"] = "validation" if entry["source_image_id"] == "IM5" else "train"
    (source / "mifa.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True))
    mifa("pack", source, tmp_path / "pkg", "--metadata", source / "mifa.yaml", "--file-list", source / "files.tsv")
    images = json.loads((tmp_path / "pkg" / "mifa.json").read_text())["images"]
    assert {image["id"]: image.get("split") for image in images} == {
        "IM1": "train", "IM2": "train", "IM3": "train", "IM4": "train", "IM5": "validation", "IM6": None}
    assert bench(mifa, tmp_path / "pkg", "--split", "validation", "--patch", "64,64", "--samples", "4")["image_names"] == ["IM5"]
    sheet["annotations"][1]["file_metadata"][4]["split"] = "test"  # the COCO entry of IM5
    (source / "mifa.yaml").write_text(yaml.safe_dump(sheet, allow_unicode=True))
    proc = mifa("pack", source, tmp_path / "pkg2", "--metadata", source / "mifa.yaml", "--file-list", source / "files.tsv", check=False)
    assert proc.returncode == 1 and "image 'IM5' is put in 2 splits" in proc.stderr, proc.stderr
    assert "file_metadata[4].split" in proc.stderr and "'validation'" in proc.stderr, proc.stderr
