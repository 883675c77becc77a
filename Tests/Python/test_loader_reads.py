"""Every patch the loader delivers equals zarr-python's read of the region its batch reports, image
and mask, for every pixel type the loader reads, 2-D and 3-D, over several epochs and samplers."""
import numpy as np
import pytest

import mifakit
from conftest import IMAGE_TYPES, LABEL_TYPES, read_region


def check_batches(loader, epochs, label="cells", float32=False):
    seen = 0
    for epoch in range(epochs):
        loader.set_epoch(epoch)
        for batch in loader:
            images, samples = batch["image"], batch["samples"]
            masks = batch["mask"] if label else None
            assert images.shape[0] == len(samples)
            for i, sample in enumerate(samples):
                expected = read_region(sample["path"], sample["region"], sample["level"])
                if float32:
                    expected = expected.astype(np.float32)
                expected = expected.reshape(images[i].shape)  # a 2-D patch of a 3-D image: z of extent 1
                assert images[i].dtype == expected.dtype
                np.testing.assert_array_equal(images[i], expected, err_msg=f"epoch {epoch} sample {sample}")
                if label:
                    mask = read_region(sample["path"], sample["region"], sample["level"], label=label).reshape(masks[i].shape)
                    assert masks[i].dtype == mask.dtype
                    np.testing.assert_array_equal(masks[i], mask)
                seen += 1
    return seen


@pytest.mark.parametrize("dtype,label_dtype", zip(IMAGE_TYPES, LABEL_TYPES))
def test_2d_patches_equal_zarr_python(typed_images, dtype, label_dtype):
    folder = typed_images(dtype, label_dtype)
    loader = mifakit.Loader(folder, patch_size=(40, 36), batch_size=5, label="cells", samples_per_epoch=23,
                            seed=IMAGE_TYPES.index(dtype), num_workers=2, prefetch=2)
    assert loader.image_dtype == np.dtype(dtype) and loader.mask_dtype == np.dtype(label_dtype)
    assert len(loader) == 5
    assert check_batches(loader, epochs=3) == 3 * 23


@pytest.mark.parametrize("dtype", ["uint16", "int32", "float16", "float64"])
def test_float32_output_equals_the_converted_read(typed_images, dtype):
    folder = typed_images(dtype, LABEL_TYPES[IMAGE_TYPES.index(dtype)])
    loader = mifakit.Loader(folder, patch_size=(33, 47), batch_size=4, label="cells", samples_per_epoch=12, dtype=np.float32)
    assert loader.image_dtype == np.float32
    assert check_batches(loader, epochs=2, float32=True) == 24


@pytest.mark.parametrize("dtype,label_dtype", [("uint16", "uint32"), ("float32", "int16"), ("int8", "uint8")])
def test_3d_patches_and_2d_patches_of_volumes(typed_images, dtype, label_dtype):
    folder = typed_images(dtype, label_dtype, axes="czyx")
    volumes = mifakit.Loader(folder, patch_size=(3, 20, 24), batch_size=4, label="cells", samples_per_epoch=10, seed=1)
    first = next(iter(volumes))
    assert first["image"].shape == (4, 2, 3, 20, 24) and first["mask"].shape == (4, 3, 20, 24)
    assert all(len(s["region"]) == 3 for s in first["samples"])
    del first
    assert check_batches(volumes, epochs=2) == 20
    planes = mifakit.Loader(folder, patch_size=(20, 24), batch_size=4, label="cells", samples_per_epoch=10, seed=2)
    assert check_batches(planes, epochs=2) == 20


@pytest.mark.parametrize("sampler,extra", [("label_aware", {"samples_per_epoch": 17, "foreground_fraction": 0.8}),
                                           ("grid", {"overlap": (8, 4)}), ("whole", {}),
                                           ("list", {"patches": [("im0.zarr", 0, 0), (1, 10, 20), ("im1.zarr", 50, 30)]})])
def test_every_sampler_reads_the_reported_regions(typed_images, sampler, extra):
    folder = typed_images("uint16", "uint16")
    loader = mifakit.Loader(folder, patch_size=(32, 32), batch_size=3, label="cells", sampler=sampler, seed=4, **extra)
    assert check_batches(loader, epochs=2) == 2 * loader.samples_per_epoch


def test_channels_and_augmentations(typed_images):
    folder = typed_images("uint8", "uint8")
    one = mifakit.Loader(folder, patch_size=(16, 16), batch_size=4, channels=[1], samples_per_epoch=8, seed=3)
    for batch in one:
        for i, sample in enumerate(batch["samples"]):
            np.testing.assert_array_equal(batch["image"][i], read_region(sample["path"], sample["region"])[1:2])
    flipped = mifakit.Loader(folder, patch_size=(16, 16), batch_size=4, augment=True, label="cells", samples_per_epoch=16, seed=3)
    for batch in flipped:
        for i, sample in enumerate(batch["samples"]):
            a = sample["augmentation"]
            pixels = read_region(sample["path"], sample["region"])
            if a["flip_x"]:
                pixels = pixels[..., ::-1]
            if a["flip_y"]:
                pixels = pixels[..., ::-1, :]
            np.testing.assert_array_equal(batch["image"][i], np.rot90(pixels, a["quarter_turns"], axes=(-2, -1)))


def test_package_read_equals_zarr_python(nuclei):
    package = mifakit.open(nuclei)
    assert package.kind == "package" and set(package.images) == {f"IM{k}" for k in range(1, 7)}
    image = package.images["IM1"]
    assert image.axes[-2:] == ("y", "x") and "set1" in image.labels
    region = [(0, n) for n in image.shape[:-2]] + [(30, 130), (7, 99)]
    np.testing.assert_array_equal(package.read("IM1", region), read_region(image.path, region[-2:]).reshape(package.read("IM1", region).shape))
    mask = package.read("IM1", region[-2:] if len(image.levels[0].shape) == 2 else region, label="set1")
    np.testing.assert_array_equal(mask.reshape(-1), read_region(image.path, region[-2:], label="set1").reshape(-1))
    assert package.read("IM1", level=1).shape == image.levels[1].shape
    assert package.metadata["study"]["title"].startswith("Synthetic fluorescence nuclei")
    assert [v["version"] for v in package.versions] and package.credits
    report = package.audit()
    assert report["verdict"] and report["counts"]["images"] == 6


def test_bare_images_and_folders_open(typed_images):
    folder = typed_images("uint16", "uint16")
    assert mifakit.open(folder).kind == "folder"
    one = mifakit.open(folder / "im0.zarr")
    assert one.kind == "image" and list(one.images) == ["im0.zarr"]
    assert one.read("im0.zarr", [(0, 2), (0, 5), (0, 5)]).shape == (2, 5, 5)


@pytest.mark.parametrize("dtype", IMAGE_TYPES)
def test_package_read_equals_zarr_python_for_every_type(typed_images, dtype):
    """`mifakit.open(image).read` gives zarr-python's values and dtype (float16 included), every level,
    random regions."""
    folder = typed_images(dtype, LABEL_TYPES[IMAGE_TYPES.index(dtype)])
    rng = np.random.default_rng(IMAGE_TYPES.index(dtype))
    package = mifakit.open(folder)
    for image in package.images.values():
        assert image.dtype == np.dtype(dtype)
        for level, described in enumerate(image.levels):
            shape = described.shape
            region = [(0, shape[0])]
            for n in shape[1:]:
                start = int(rng.integers(0, n))
                region.append((start, int(rng.integers(start + 1, n + 1))))
            got = package.read(image.id, region, level=level)
            expected = read_region(image.path, region[1:], level)
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(got, expected, err_msg=f"{image.id} level {level}")
