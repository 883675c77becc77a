"""Packages and images: :func:`open` and :class:`Package`."""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from . import _lib
from .errors import InvalidArgumentError, NotFoundError, StateError


@dataclass(frozen=True)
class Level:
    """One pyramid level of an image: its array's path, shape, chunk shape, element type, and the
    pixel size and origin per axis (the level's scale and translation)."""
    path: str
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: str | None
    pixel_size: tuple[float, ...]
    origin: tuple[float, ...]


@dataclass(frozen=True)
class Image:
    """One OME-Zarr image of a package: its id, path, axes (names, types, units), levels and the
    names of its label images."""
    id: str
    path: str
    axes: tuple[str, ...]
    axis_types: tuple[str | None, ...]
    axis_units: tuple[str | None, ...]
    levels: tuple[Level, ...]
    labels: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of level 0."""
        return self.levels[0].shape

    @property
    def dtype(self) -> np.dtype:
        """The element type of level 0."""
        return np.dtype(self.levels[0].dtype)

    @property
    def pixel_size(self) -> dict[str, float]:
        """The pixel size of level 0 per spatial axis (in the axes' units)."""
        return {a: s for a, s, t in zip(self.axes, self.levels[0].pixel_size, self.axis_types) if t == "space"}


class Package:
    """An open MIFA package, OME-Zarr image, or folder of OME-Zarr images (see :func:`open`).

    ``images`` maps image ids to :class:`Image`; ``read`` reads a region as a NumPy array. For MIFA
    packages, ``metadata``, ``versions``, ``credits`` and ``audit()`` give the package's documents as
    dicts. Close it with ``close()`` or a ``with`` block (or let it be garbage-collected)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._handle = ctypes.c_void_p()
        _lib.call("mifa_package_open", _lib.encode(path), ctypes.byref(self._handle))
        self._lib = _lib.lib()
        info = _lib.call_json("mifa_package_info", self._handle)
        self.path: str = os.fspath(path)
        self.kind: str = info["kind"]
        self.images: dict[str, Image] = {
            image["id"]: Image(
                id=image["id"], path=image["path"], axes=tuple(a["name"] for a in image["axes"]),
                axis_types=tuple(a.get("type") for a in image["axes"]), axis_units=tuple(a.get("unit") for a in image["axes"]),
                levels=tuple(Level(path=l["path"], shape=tuple(l["shape"]), chunks=tuple(l["chunks"]), dtype=l.get("dtype"),
                                   pixel_size=tuple(l["pixel_size"]), origin=tuple(l["origin"])) for l in image["levels"]),
                labels=tuple(image["labels"]))
            for image in info["images"]}
        self.annotation_sets: list[str] = list(info["annotation_sets"])

    # -- lifetime --
    def close(self) -> None:
        """Closes the package (idempotent)."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None and handle.value:
            self._lib.mifa_package_close(handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<mifakit.Package {self.kind} {self.path!r}: {len(self.images)} images>"

    def _live(self) -> ctypes.c_void_p:
        if self._handle is None:
            raise StateError("the package is closed", code="closed")
        return self._handle

    # -- documents --
    def _document(self, name: str) -> Any:
        return _lib.call_json("mifa_package_document", self._live(), name.encode())

    @property
    def metadata(self) -> dict:
        """The MIFA metadata (mifa.json) as dicts."""
        return self._document("metadata")

    @property
    def versions(self) -> list[dict]:
        """The version records, oldest first (versions/<v>.json)."""
        return self._document("versions")

    @property
    def credits(self) -> list[dict]:
        """The annotators the current version credits (every earlier version's and its own)."""
        versions = self.versions
        return versions[-1].get("credited_annotators", []) if versions else []

    def audit(self) -> dict:
        """The audit report (as ``mifa audit --json``): verdict, counts, findings, coverage."""
        return self._document("audit")

    # -- pixels --
    def read(self, image_id: str, region: Sequence[Sequence[int] | slice] | None = None, level: int = 0,
             label: str | None = None) -> np.ndarray:
        """Reads `region` of level `level` of image `image_id` (or of its label image `label`) as a
        NumPy array in the level's own type. `region` has one ``(start, stop)`` pair or slice per axis
        of the image (all its axes, in order, e.g. c, y, x), in the level's pixels; ``None`` reads the
        whole level."""
        if image_id not in self.images:
            raise NotFoundError(f"there is no image {image_id!r}; the images are {', '.join(self.images)}",
                                           code="not-found", file=self.path)
        image = self.images[image_id]
        if not isinstance(level, (int, np.integer)) or not 0 <= level < len(image.levels):
            raise InvalidArgumentError(f"level must be an integer in [0, {len(image.levels)}); found {level!r}",
                                       code="invalid-argument")
        # A label image has the image's axes but the channel axis (NGFF); the library checks the rank.
        keep = [k for k, t in enumerate(image.axis_types) if not (label and t == "channel")]
        shape = [image.levels[level].shape[k] for k in keep]
        names = [image.axes[k] for k in keep]
        if region is None:
            region = [(0, n) for n in shape]
        if len(region) != len(shape):
            raise InvalidArgumentError(f"the region has {len(region)} axes; the {'label ' if label else ''}image has {len(shape)} "
                                       f"({', '.join(names)})", code="invalid-argument")
        starts, stops = [], []
        for axis, (item, extent) in enumerate(zip(region, shape)):
            if isinstance(item, slice):
                start, stop, step = item.indices(extent)
                if step != 1:
                    raise InvalidArgumentError(f"axis {names[axis]}: slices with a step are not read", code="invalid-argument")
            else:
                try:
                    start, stop = (int(v) for v in item)
                except (TypeError, ValueError):
                    raise InvalidArgumentError(f"axis {names[axis]}: give (start, stop) or a slice; found {item!r}",
                                               code="invalid-argument") from None
            starts.append(start)
            stops.append(max(start, stop))
        n = len(shape)
        c_starts, c_stops = (ctypes.c_int64 * n)(*starts), (ctypes.c_int64 * n)(*stops)
        dtype = ctypes.c_int32()
        # Ask for the type first (a zero-byte buffer), then read into an array of that type.
        status = self._lib.mifa_package_read(self._live(), image_id.encode(), _lib.encode(label), level, c_starts, c_stops, n,
                                             None, 0, ctypes.byref(dtype))
        size = int(np.prod([b - a for a, b in zip(starts, stops)], dtype=np.int64))
        if status != 0 and (dtype.value == 0 or size == 0):
            raise _lib.last_error(status)
        out = np.empty([b - a for a, b in zip(starts, stops)], dtype=_lib.DTYPES[dtype.value])
        if out.nbytes:
            _lib.call("mifa_package_read", self._live(), image_id.encode(), _lib.encode(label), level, c_starts, c_stops, n,
                      out.ctypes.data_as(ctypes.c_void_p), out.nbytes, ctypes.byref(dtype))
        return out


def open(path: str | os.PathLike) -> Package:  # noqa: A001  (mifakit.open is the documented name)
    """Opens a MIFA package, one OME-Zarr image, or a folder of OME-Zarr images.

    >>> package = mifakit.open("nuclei.mifa")
    >>> package.images["IM1"].shape
    (512, 512)
    >>> patch = package.read("IM1", [(0, 128), (0, 128)], label="set1")
    """
    return Package(path)
