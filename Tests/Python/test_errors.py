"""Bad arguments and bad data raise clear mifakit exceptions (never a crash): each carries the
Swift error's code, message and place."""
import gc
import shutil

import numpy as np
import pytest

import mifakit


@pytest.fixture()
def folder(typed_images):
    return typed_images("uint16", "uint16")


@pytest.mark.parametrize("arguments,error,pointer", [
    (dict(patch_size=(0, 10)), mifakit.InvalidArgumentError, "/patch"),
    (dict(patch_size=(10,)), mifakit.InvalidArgumentError, "/patch"),
    (dict(batch_size=0), mifakit.InvalidArgumentError, None),
    (dict(num_workers=0), mifakit.InvalidArgumentError, None),
    (dict(sampler="nope"), mifakit.InvalidArgumentError, None),
    (dict(dtype=np.int16), mifakit.InvalidArgumentError, None),
    (dict(channels=[5]), mifakit.InvalidArgumentError, None),
    (dict(memory_budget=1000), mifakit.MemoryBudgetError, None),
    (dict(rank=3, world_size=2), mifakit.InvalidArgumentError, None),
    (dict(images=["nope"]), mifakit.NotFoundError, "/images"),
    (dict(sampler="grid", overlap=(40, 0)), mifakit.InvalidArgumentError, None),
    (dict(sampler="list", patches=[("im0", 0)]), mifakit.InvalidArgumentError, "/patches/0"),
    (dict(sampler="label_aware", foreground_fraction=2.0), mifakit.InvalidArgumentError, None),
    (dict(augment={"spin": True}), mifakit.InvalidArgumentError, None),
    (dict(seed=-1), mifakit.InvalidArgumentError, None),
])
def test_bad_loader_arguments(folder, arguments, error, pointer):
    settings = dict(patch_size=(16, 16), batch_size=4, label="cells") | arguments
    with pytest.raises(error) as raised:
        mifakit.Loader(folder, **settings)
    assert raised.value.message and raised.value.code
    if pointer:
        assert raised.value.pointer == pointer


def test_missing_and_unusable_inputs(tmp_path):
    with pytest.raises(mifakit.NotFoundError) as raised:
        mifakit.open(tmp_path / "missing.zarr")
    assert raised.value.file and "missing.zarr" in raised.value.file
    (tmp_path / "empty").mkdir()
    with pytest.raises(mifakit.MIFAError, match="not an OME-Zarr image"):
        mifakit.Loader(tmp_path / "empty", patch_size=(8, 8), batch_size=2)
    with pytest.raises(mifakit.InvalidArgumentError):
        mifakit.Loader([], patch_size=(8, 8), batch_size=2)
    with pytest.raises(mifakit.InvalidArgumentError):
        mifakit.Loader(42, patch_size=(8, 8), batch_size=2)


def test_bad_reads(folder):
    package = mifakit.open(folder)
    with pytest.raises(mifakit.NotFoundError):
        package.read("nope", [(0, 1), (0, 1), (0, 1)])
    with pytest.raises(mifakit.InvalidArgumentError) as raised:
        package.read("im0.zarr", [(0, 2), (0, 500), (0, 5)])
    assert raised.value.code == "invalid-region"
    with pytest.raises(mifakit.InvalidArgumentError):
        package.read("im0.zarr", [(0, 2), (0, 5)])
    with pytest.raises(mifakit.NotFoundError):
        package.read("im0.zarr", [(0, 5), (0, 5)], label="nope")
    with pytest.raises(mifakit.InvalidArgumentError):
        package.read("im0.zarr", level=9)
    with pytest.raises(mifakit.StateError):
        package.metadata  # a folder of images has no MIFA metadata
    package.close()
    with pytest.raises(mifakit.StateError):
        package.audit()


def test_corrupt_chunk_names_its_key(folder, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    level = mifakit.open(folder).images["im0.zarr"].levels[0].path
    for chunk in (broken / "im0.zarr" / level / "c").rglob("*"):
        if chunk.is_file():
            chunk.write_bytes(b"not zstd at all")
    loader = mifakit.Loader(broken / "im0.zarr", patch_size=(16, 16), batch_size=4, samples_per_epoch=8)
    with pytest.raises(mifakit.InvalidDataError) as raised:
        for _ in loader:
            pass
    assert raised.value.key and raised.value.code == "chunk-failed", vars(raised.value)
    # The loader is still usable for another epoch (which fails the same way, without a crash).
    with pytest.raises(mifakit.InvalidDataError):
        list(loader)


def test_malformed_metadata(tmp_path, folder):
    broken = tmp_path / "meta"
    shutil.copytree(folder / "im0.zarr", broken)
    (broken / "zarr.json").write_text("{ not json")
    with pytest.raises(mifakit.MIFAError):
        mifakit.open(broken)


def test_closed_loader_and_bad_states(folder):
    loader = mifakit.Loader(folder, patch_size=(16, 16), batch_size=4, samples_per_epoch=8)
    with pytest.raises(mifakit.InvalidArgumentError):
        loader.load_state_dict({"seed": 0})
    with pytest.raises(mifakit.StateError):
        loader.load_state_dict({"seed": 0, "epoch": 0, "batch": 99})
    with pytest.raises(mifakit.InvalidArgumentError):
        loader.set_epoch(-1)
    loader.close()
    with pytest.raises(mifakit.StateError):
        list(loader)


def test_holding_every_batch_raises_instead_of_hanging(folder):
    # Batches of 4 x (2 x 64 x 64 + 64 x 64) uint16: 96 KiB; the budget holds 3 of them.
    loader = mifakit.Loader(folder, patch_size=(64, 64), batch_size=4, label="cells", samples_per_epoch=400, prefetch=1,
                            memory_budget=300_000)
    held = []
    with pytest.raises(mifakit.MemoryBudgetError):
        for batch in loader:
            held.append(batch)
    assert len(held) >= 2
    del held, batch
    gc.collect()
    assert sum(1 for _ in loader) == len(loader)  # released batches make room again


def test_split_chooses_the_images_of_a_packages_split(nuclei):
    """`split` names a split of the package's mifa.json (the sample keeps IM6 for testing)."""
    train = mifakit.Loader(nuclei, patch_size=(64, 64), batch_size=4, split="train", samples_per_epoch=40, seed=1)
    seen = {sample["image_id"] for batch in train for sample in batch["samples"]}
    assert seen and "IM6" not in seen
    test = mifakit.Loader(nuclei, patch_size=(64, 64), batch_size=4, split=["test"], samples_per_epoch=8, seed=1)
    assert {sample["image_id"] for batch in test for sample in batch["samples"]} == {"IM6"}
    with pytest.raises(mifakit.MIFAError, match="split 'nope'"):
        mifakit.Loader(nuclei, patch_size=(64, 64), split="nope")


def test_a_read_ahead_the_budget_cannot_hold_is_refused(folder):
    """At the smallest budget the loader takes there is no room for a chunk read ahead: a read_ahead
    asked for is refused (not turned off in silence), naming the budget that would hold it."""
    import re
    settings = dict(patch_size=(16, 16), batch_size=4, label="cells")
    with pytest.raises(mifakit.MemoryBudgetError) as raised:
        mifakit.Loader(folder, memory_budget=1000, **settings)
    floor = int(re.search(r"give at least (\d+) bytes", raised.value.message).group(1))
    with pytest.raises(mifakit.MemoryBudgetError, match="read-ahead of 2 chunks cannot be honoured") as refused:
        mifakit.Loader(folder, memory_budget=floor, read_ahead=2, **settings)
    enough = int(re.search(r"at least (\d+) bytes", refused.value.message).group(1))
    with mifakit.Loader(folder, memory_budget=enough, read_ahead=2, **settings) as loader:
        assert next(iter(loader))["image"].shape[0] == 4


def test_a_damaged_package_is_read_as_a_package_and_says_what_is_wrong(nuclei, tmp_path):
    """A package whose manifest is broken is reported as such (file and place), not taken for a
    folder of images that then has none."""
    damaged = tmp_path / "damaged.mifa"
    shutil.copytree(nuclei, damaged)
    (damaged / "manifest.json").write_text("{broken")
    with pytest.raises(mifakit.InvalidDataError) as raised:
        mifakit.open(damaged)
    assert "manifest.json:1:2" in str(raised.value)
