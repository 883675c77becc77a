"""mifakit: MIFA packages and OME-Zarr images, and MIFAKit's streaming batch loader, from Python.

A thin layer over the C ABI of the Swift libraries (libMIFAKit.so, include/mifakit.h): it wraps,
it does not re-implement. See the README's "Python" section for the getting-started guide.

- :func:`open` opens a MIFA package, an OME-Zarr image or a folder of them (:class:`Package`).
- :class:`Loader` streams batches of patches (NumPy views of the loader's buffers, no copy).
- :mod:`mifakit.torch` wraps the loader as a PyTorch ``IterableDataset``.
- Errors raise :class:`MIFAError` subclasses with the Swift error's code, message and place.
"""

from ._version import __version__
from .errors import (InternalError, InvalidArgumentError, InvalidDataError, MemoryBudgetError, MIFAError, MIFAIOError,
                     NotFoundError, StateError)
from .loader import Augment, Batch, Loader
from .package import Image, Level, Package, open

__all__ = ["__version__", "open", "Package", "Image", "Level", "Loader", "Batch", "Augment", "MIFAError",
           "InvalidArgumentError", "InvalidDataError", "NotFoundError", "MIFAIOError", "MemoryBudgetError", "StateError",
           "InternalError"]
