"""PyTorch integration: :class:`IterableDataset` yields the loader's batches as torch tensors that
share the loader's memory (``torch.from_numpy``, no copy), and :func:`data_loader` wraps it in a
``torch.utils.data.DataLoader`` (batching is the loader's own: ``batch_size=None``).

Ranks: from ``torch.distributed`` when it is initialised, else ``RANK`` and ``WORLD_SIZE`` (as
``torchrun`` sets them), else one process; each DataLoader worker process takes its own share of
its rank's samples (rank ``r`` with ``n`` workers reads shard ``r * n + worker`` of ``world * n``),
so the ranks' and workers' samples are disjoint and together cover the epoch."""

from __future__ import annotations

import os
from typing import Any, Iterator

import torch
import torch.utils.data

from .loader import Batch, Loader


def distributed() -> tuple[int, int]:
    """This process's rank and the world size: ``torch.distributed`` when initialised, else
    ``RANK``/``WORLD_SIZE`` from the environment, else ``(0, 1)``."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def to_torch(batch: Batch, pin_memory: bool = False) -> dict[str, Any]:
    """The batch as ``{"image": Tensor, "mask": Tensor, "samples": [...]}``; the tensors share the
    batch's memory (and keep it alive), unless ``pin_memory`` copies them into pinned memory."""
    out: dict[str, Any] = {}
    for key in batch:
        value = batch[key]
        if key == "samples":
            out[key] = value
            continue
        tensor = torch.from_numpy(value)
        out[key] = tensor.pin_memory() if pin_memory else tensor
    return out


class IterableDataset(torch.utils.data.IterableDataset):
    """A PyTorch ``IterableDataset`` over :class:`mifakit.Loader`: each item is one batch (a dict of
    tensors plus ``samples``). Takes the loader's arguments; ``rank`` and ``world_size`` default to
    :func:`distributed`. Call ``set_epoch`` before each epoch, as with ``DistributedSampler``.

    >>> dataset = mifakit.torch.IterableDataset("nuclei.mifa", patch_size=(128, 128), batch_size=16, label="set1")
    >>> for batch in mifakit.torch.data_loader(dataset):
    ...     loss = criterion(model(batch["image"].float()), batch["mask"])

    The loader is made lazily in the process that iterates (the main process, or each DataLoader
    worker), so the dataset itself is cheap to pickle to spawned workers."""

    def __init__(self, *sources: Any, pin_memory: bool | None = None, **loader_arguments: Any) -> None:
        super().__init__()
        self.sources = sources
        self.loader_arguments = loader_arguments
        self.pin_memory = torch.cuda.is_available() if pin_memory is None else pin_memory
        self.epoch = 0
        self._loader: Loader | None = None
        self._shard: tuple[int, int] | None = None
        self._pending_state: dict | None = None

    def shard(self) -> tuple[int, int]:
        """The shard this process reads: ``(rank, world size)`` with DataLoader workers folded in."""
        rank = self.loader_arguments.get("rank")
        world = self.loader_arguments.get("world_size")
        if rank is None or world is None:
            found_rank, found_world = distributed()
            rank = found_rank if rank is None else rank
            world = found_world if world is None else world
        info = torch.utils.data.get_worker_info()
        if info is not None:
            rank, world = rank * info.num_workers + info.id, world * info.num_workers
        return rank, world

    @property
    def loader(self) -> Loader:
        """The loader of this process (made on first use)."""
        shard = self.shard()
        if self._loader is None or self._shard != shard:
            arguments = dict(self.loader_arguments, rank=shard[0], world_size=shard[1])
            self._loader = Loader(*self.sources, **arguments)
            self._shard = shard
            if self._pending_state is not None:
                self._loader.load_state_dict(self._pending_state)
                self._pending_state = None
        return self._loader

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch the next iteration reads."""
        self.epoch = epoch
        self._pending_state = None
        if self._loader is not None:
            self._loader.set_epoch(epoch)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        loader = self.loader
        if self._pending_state is None and loader.state_dict()["epoch"] != self.epoch:
            loader.set_epoch(self.epoch)
        for batch in loader:
            yield to_torch(batch, self.pin_memory)

    def __len__(self) -> int:
        return len(self.loader)

    def state_dict(self) -> dict[str, int]:
        """Where the loader of this process is (see :meth:`mifakit.Loader.state_dict`)."""
        return self.loader.state_dict()

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Resumes from ``state`` on the next iteration (in this process)."""
        self.epoch = int(state["epoch"])
        if self._loader is not None:
            self._loader.load_state_dict(state)
        else:
            self._pending_state = dict(state)

    def __getstate__(self) -> dict[str, Any]:  # workers build their own loader
        state = dict(self.__dict__)
        state["_loader"], state["_shard"] = None, None
        return state


def data_loader(dataset: IterableDataset, num_workers: int = 0, **arguments: Any) -> torch.utils.data.DataLoader:
    """A ``DataLoader`` over `dataset` with the loader's own batching (``batch_size=None``) and
    pinned memory when CUDA is present. With ``num_workers`` > 0 each worker process runs a loader
    of its own share (spawned, so that no thread of the parent is forked); batches then cross
    processes through shared memory (a copy), so ``num_workers=0`` (threads inside the loader) is
    the fast path."""
    if num_workers > 0:
        arguments.setdefault("multiprocessing_context", "spawn")
    arguments.setdefault("pin_memory", torch.cuda.is_available())
    return torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=num_workers, **arguments)
