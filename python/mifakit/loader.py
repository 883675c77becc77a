"""The streaming batch loader: :class:`Loader` and its :class:`Batch` es."""

from __future__ import annotations

import ctypes
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Sequence, Union

import numpy as np

from . import _lib
from .errors import InvalidArgumentError, StateError
from .package import Package

Source = Union[str, "os.PathLike[str]", Package]
SAMPLERS = ("random", "label_aware", "grid", "whole", "list")


@dataclass(frozen=True)
class Augment:
    """Augmentations, drawn per sample from the seed (images, masks and annotations get the same):
    ``flips`` (left-right and up-down, each with probability 1/2), ``rotations`` (a random multiple
    of 90 degrees; square patches) and ``crop`` (an extent ``[y, x]`` or ``[z, y, x]`` cut at a
    random place of each sampled patch; batches then have that extent)."""
    flips: bool = False
    rotations: bool = False
    crop: Sequence[int] | None = None


class _Owner:
    """Holds one batch handle (its address); releases it when the last NumPy view of the batch goes."""

    __slots__ = ("handle", "library")

    def __init__(self, handle: int, library: ctypes.CDLL) -> None:
        self.handle, self.library = handle, library

    def __del__(self) -> None:
        handle, self.handle = self.handle, None
        if handle:
            self.library.mifa_batch_release(handle)


class _Memory:
    """What a batch array views: the loader's buffer at an address, described to NumPy by the array
    interface, and the batch that holds it (so the buffer stays while any view of it does)."""

    __slots__ = ("__array_interface__", "owner")


_DTYPES = {code: np.dtype(name) for code, name in _lib.DTYPES.items()}


class _Scratch:
    """The out-parameters of ``mifa_loader_next``, made once per thread: a batch arrives right after
    the consumer's thread wakes, and the fewer objects made then, the sooner it runs."""

    _local = threading.local()

    def __init__(self) -> None:
        self.out, self.view = ctypes.c_void_p(), _lib.BatchView()
        self.out_ref, self.view_ref = ctypes.byref(self.out), ctypes.byref(self.view)

    @classmethod
    def get(cls) -> _Scratch:
        scratch = getattr(cls._local, "scratch", None)
        if scratch is None:
            scratch = cls._local.scratch = cls()
        return scratch


class Batch(Mapping):
    """One mini-batch: ``batch["image"]`` (B, C, [Z,] Y, X), ``batch["mask"]`` (B, [Z,] Y, X; when the
    loader reads a label) and ``batch["samples"]`` (one dict per sample: ``image_id``, ``path``,
    ``level``, ``t``, ``region`` (a ``[start, stop)`` pair per spatial axis of the level, in its pixels),
    ``augmentation``, ``boxes``, ``points``, ``polygons``, each shape with its annotation ``set`` and
    ``id``). ``epoch`` and ``index`` say where it is in the run.

    The arrays are NumPy views of the loader's pooled buffer (no copy). The buffer returns to the
    pool when the batch is released: ``release()``, the end of a ``with`` block, or garbage
    collection, and in every case only once no view of it remains (a view kept after ``release()``
    stays valid and keeps the buffer)."""

    def __init__(self, handle: int, library: ctypes.CDLL, view: _lib.BatchView) -> None:
        owner = _Owner(handle, library)
        self._owner: _Owner | None = owner
        self._arrays: dict[str, np.ndarray] = {}
        image, mask = self._array(owner, view.image), self._array(owner, view.mask)
        if image is not None:
            self._arrays["image"] = image
        if mask is not None:
            self._arrays["mask"] = mask
        self.epoch, self.index = view.epoch, view.index
        self._samples: list[dict] | None = None

    @staticmethod
    def _array(owner: _Owner, tensor: _lib.Tensor) -> np.ndarray | None:
        ndim = tensor.ndim
        if ndim == 0:
            return None
        extents = tuple(tensor.shape[:ndim])
        kind = _DTYPES[tensor.dtype]
        address = tensor.data
        if not address or 0 in extents:
            return np.zeros(extents, kind)
        memory = _Memory()
        memory.__array_interface__ = {"data": (address, False), "shape": extents, "typestr": kind.str, "version": 3}
        memory.owner = owner  # the array's base keeps the batch (and its buffer) alive
        return np.asarray(memory)

    @property
    def samples(self) -> list[dict]:
        """What each sample is (built on first use)."""
        if self._samples is None:
            if self._owner is None:
                raise StateError("the batch was released", code="released")
            self._samples = _lib.call_json("mifa_batch_samples", self._owner.handle)
        return self._samples

    def __getitem__(self, key: str) -> Any:
        if key == "samples":
            return self.samples
        if self._owner is None:
            raise StateError("the batch was released", code="released")
        return self._arrays[key]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._arrays, "samples"])

    def __len__(self) -> int:
        return len(self._arrays) + 1

    def release(self) -> None:
        """Gives the batch back: its buffer returns to the pool once no view of it remains."""
        self._arrays.clear()
        self._owner = None

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k} {tuple(v.shape)} {v.dtype}" for k, v in self._arrays.items())
        return f"<mifakit.Batch epoch {self.epoch} #{self.index}: {shapes or 'released'}>"


def _source_paths(sources: Source | Sequence[Source]) -> list[str]:
    if isinstance(sources, (str, os.PathLike, Package)):
        items = [sources]
    elif isinstance(sources, (list, tuple)):
        items = list(sources)
    else:
        raise InvalidArgumentError(f"sources is a path, a mifakit.Package or a list of them; found {type(sources).__name__}",
                                   code="invalid-argument")
    if not items:
        raise InvalidArgumentError("sources is empty; give a package, an OME-Zarr image or a folder of them", code="invalid-argument")
    paths = []
    for item in items:
        if isinstance(item, Package):
            paths.append(item.path)
        elif isinstance(item, (str, os.PathLike)):
            paths.append(os.fspath(item))
        else:
            raise InvalidArgumentError(f"a source is a path or a mifakit.Package; found {type(item).__name__}", code="invalid-argument")
    return paths


def _augment(augment: Augment | Mapping | bool | None) -> dict:
    if augment is None or augment is False:
        return {}
    if augment is True:
        return {"flips": True, "rotations": True}
    if isinstance(augment, Augment):
        augment = {"flips": augment.flips, "rotations": augment.rotations, "crop": augment.crop}
    if not isinstance(augment, Mapping):
        raise InvalidArgumentError(f"augment is a mifakit.Augment, a dict, True or None; found {type(augment).__name__}",
                                   code="invalid-argument")
    unknown = set(augment) - {"flips", "rotations", "crop"}
    if unknown:
        raise InvalidArgumentError(f"unknown augmentations {sorted(unknown)}; use flips, rotations, crop", code="invalid-argument")
    out = {k: v for k, v in augment.items() if v is not None}
    if "crop" in out:
        out["crop"] = [int(v) for v in out["crop"]]
    return out


def _dtype(dtype: Any) -> str:
    if dtype is None:
        return "native"
    try:
        if np.dtype(dtype) == np.float32:
            return "float32"
    except TypeError:
        pass
    raise InvalidArgumentError(f"dtype is None (the images' own type) or float32; found {dtype!r}", code="invalid-argument")


def _int_list(value: Any, name: str) -> list[int] | None:
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} takes integers; found {value!r}", code="invalid-argument") from None


class Loader:
    """Streams training batches from OME-Zarr images (MIFA packages, images, folders of images):
    patches chosen by a sampler, read chunk by chunk on ``num_workers`` threads, ``prefetch`` batches
    ahead, under one ``memory_budget`` (bytes) that the loader never exceeds.

    >>> loader = mifakit.Loader("nuclei.mifa", patch_size=(128, 128), batch_size=16, label="set1", seed=7)
    >>> for epoch in range(3):
    ...     loader.set_epoch(epoch)
    ...     for batch in loader:
    ...         train_step(batch["image"], batch["mask"])

    Samplers: ``"random"`` (uniform positions, ``samples_per_epoch`` per epoch, default 64 per image),
    ``"label_aware"`` (``foreground_fraction`` of the patches centred on labelled pixels,
    ``balance_classes``), ``"grid"`` (overlapping tiles for inference, ``overlap``), ``"whole"`` (every
    image whole) and ``"list"`` (``patches``: ``[(image, y, x), ...]``, image by id or number).
    ``label`` names the label image read as masks; ``annotations`` the vector annotation sets whose
    boxes, points and polygons each sample carries (packages; default all); ``split`` the split(s) of
    a package to sample (``"train"``, ``"test"``, ... as its mifa.json gives them; default all) and
    ``images`` the image ids to sample (default all). ``dtype=None`` keeps the images' type, ``np.float32`` converts (with
    ``normalize={"mean": [...], "std": [...]}``). ``rank``/``world_size`` shard each epoch like
    PyTorch's ``DistributedSampler`` (default: ``RANK`` and ``WORLD_SIZE`` from the environment).
    Every random choice is a function of ``seed`` and the epoch: runs are reproducible on any number
    of workers, and ``state_dict()``/``load_state_dict()`` resume mid-epoch exactly. ``read_ahead``
    is the chunk reads kept in flight ahead of the workers (default: none for local files; for images
    over ``http(s)://`` or ``s3://``, as many as the link's round trip and the workers' pace ask,
    measured as the loader runs). The loader's threads give way to the training loop: on Linux they
    run as batch work (``SCHED_BATCH``), so a loop coming back for its next batch is never kept
    waiting behind a decoding worker."""

    def __init__(self, sources: Source | Sequence[Source], patch_size: Sequence[int] | None = None, batch_size: int = 32,
                 sampler: str = "random", label: str | None = None, annotations: Sequence[str] | None = None,
                 split: Sequence[str] | None = None, num_workers: int = 2, prefetch: int = 2, seed: int = 0,
                 memory_budget: int = 1 << 30, dtype: Any = None, channels: Sequence[int] | None = None,
                 augment: Augment | Mapping | bool | None = None, drop_last: bool = False, rank: int | None = None,
                 world_size: int | None = None, *, samples_per_epoch: int | None = None, level: int = 0,
                 weights: Sequence[float] | None = None, shuffle: bool | None = None,
                 patches: Sequence[Sequence[int | str]] | None = None, overlap: Sequence[int] | None = None,
                 foreground_fraction: float = 0.5, balance_classes: bool = False,
                 normalize: Mapping[str, Sequence[float]] | None = None, read_ahead: int | None = None,
                 images: Sequence[str] | None = None) -> None:
        self._handle: ctypes.c_void_p | None = None
        if sampler not in SAMPLERS:
            raise InvalidArgumentError(f"sampler is {sampler!r}; use one of {', '.join(SAMPLERS)}", code="invalid-argument")
        paths = _source_paths(sources)
        if weights is not None and len(weights) != len(paths):
            raise InvalidArgumentError(f"give one weight per source ({len(paths)}); found {len(weights)}", code="invalid-argument")
        if isinstance(split, str):
            split = [split]
        config: dict[str, Any] = {
            "inputs": [{"path": p, **({"weight": float(w)} if weights is not None else {})}
                       for p, w in zip(paths, weights if weights is not None else [None] * len(paths))],
            "batch_size": batch_size, "sampler": sampler, "workers": num_workers, "prefetch": prefetch, "seed": seed,
            "memory_budget": memory_budget, "dtype": _dtype(dtype), "drop_last": bool(drop_last), "level": level,
            "foreground_fraction": float(foreground_fraction), "balance_classes": bool(balance_classes),
            **_augment(augment),
        }
        optional = {"patch": _int_list(patch_size, "patch_size"), "label": label,
                    "annotations": None if annotations is None else [annotations] if isinstance(annotations, str) else list(annotations),
                    "splits": None if split is None else list(split),
                    "images": None if images is None else [images] if isinstance(images, str) else list(images), "channels": _int_list(channels, "channels"),
                    "rank": rank, "world_size": world_size, "samples_per_epoch": samples_per_epoch, "shuffle": shuffle,
                    "overlap": _int_list(overlap, "overlap"), "read_ahead": read_ahead,
                    "patches": None if patches is None else [[p[0] if isinstance(p[0], str) else int(p[0]), *map(int, p[1:])] for p in patches],
                    "normalize": None if normalize is None else {"mean": list(map(float, normalize["mean"])),
                                                                 "std": list(map(float, normalize["std"]))}}
        config.update({k: v for k, v in optional.items() if v is not None})
        try:
            text = json.dumps(config)
        except (TypeError, ValueError) as error:
            raise InvalidArgumentError(f"a setting cannot be passed on: {error}", code="invalid-argument") from None
        handle = ctypes.c_void_p()
        _lib.call("mifa_loader_create", text.encode(), ctypes.byref(handle))
        self._lib = _lib.lib()
        self._handle = handle
        self.configuration = config
        info = _lib.call_json("mifa_loader_info", handle)
        self.batches_per_epoch: int = info["batches_per_epoch"]
        self.samples_per_epoch: int = info["samples_per_epoch"]
        self.batch_size: int = info["batch_size"]
        self.patch_shape: tuple[int, ...] = tuple(info["patch_shape"])
        self.channels: tuple[int, ...] = tuple(info["channels"])
        self.image_dtype = np.dtype(info["image_dtype"])
        self.mask_dtype = None if info.get("mask_dtype") is None else np.dtype(info["mask_dtype"])
        self.rank: int = info["rank"]
        self.world_size: int = info["world_size"]
        self.seed: int = info["seed"]
        self.memory_budget: int = info["memory_budget"]
        self.image_ids: tuple[str, ...] = tuple(info["image_ids"])
        self.epoch = 0

    def _live(self) -> ctypes.c_void_p:
        if self._handle is None:
            raise StateError("the loader is closed", code="closed")
        return self._handle

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch the next iteration reads (its order, patches and augmentations depend on it)."""
        if not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise InvalidArgumentError(f"epoch must be an integer, 0 or more; found {epoch!r}", code="invalid-argument")
        _lib.call("mifa_loader_set_epoch", self._live(), int(epoch))
        self.epoch = int(epoch)

    def __iter__(self) -> Iterator[Batch]:
        """The batches of the epoch (from where ``load_state_dict`` pointed, else from the start)."""
        handle = self._live()
        _lib.call("mifa_loader_begin", handle)
        library = self._lib
        while True:
            scratch = _Scratch.get()
            status = library.mifa_loader_next(handle, scratch.out_ref, scratch.view_ref)  # the GIL is released while it waits
            if status != 0:
                raise _lib.last_error(status)
            address = scratch.out.value
            if not address:
                return
            yield Batch(address, library, scratch.view)

    def __len__(self) -> int:
        return self.batches_per_epoch

    def state_dict(self) -> dict[str, int]:
        """Where the loader is: ``{"seed", "epoch", "batch"}`` (batches of the epoch delivered)."""
        return _lib.call_json("mifa_loader_state", self._live())

    def load_state_dict(self, state: Mapping[str, int]) -> None:
        """Continues from ``state``: the next iteration yields exactly the batches that came after it."""
        try:
            text = json.dumps({"seed": int(state["seed"]), "epoch": int(state["epoch"]), "batch": int(state["batch"])})
        except (KeyError, TypeError, ValueError):
            raise InvalidArgumentError(f"a state is a dict with seed, epoch and batch; found {state!r}", code="invalid-argument") from None
        _lib.call("mifa_loader_restore", self._live(), text.encode())
        self.epoch = int(state["epoch"])

    @property
    def metrics(self) -> dict[str, Any]:
        """The loader's counters: bytes read, chunks decoded, cache hits, waits, peak memory."""
        return _lib.call_json("mifa_loader_metrics", self._live())

    def close(self) -> None:
        """Stops the loader's threads and frees its cache (batches still held stay valid). Idempotent."""
        handle, self._handle = self._handle, None
        if handle is not None and handle.value:
            self._lib.mifa_loader_destroy(handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"<mifakit.Loader {len(self.image_ids)} images, patch {self.patch_shape}, batch {self.batch_size}, "
                f"{self.batches_per_epoch} batches per epoch>")
