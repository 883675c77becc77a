"""20 epochs: resident memory does not grow beyond the loader's budget, and no handle or thread
leaks; two loaders in one process run side by side."""
import gc
import os
import threading
import time

import numpy as np

import mifakit
from mifakit import _lib


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def loader_threads() -> int:
    """The threads of this process that the loader made (named mifa-worker-N, mifa-opener, mifa-read-N)."""
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                count += comm.read().startswith("mifa-")
        except FileNotFoundError:  # the thread ended meanwhile
            pass
    return count


def test_twenty_epochs_stay_within_the_budget_and_leak_no_handle(typed_images):
    folder = typed_images("uint16", "uint16")
    budget = 24 << 20
    gc.collect()
    before = _lib.live_handles()
    threads_before = loader_threads()
    loader = mifakit.Loader(folder, patch_size=(32, 32), batch_size=8, label="cells", samples_per_epoch=64,
                            memory_budget=budget, seed=5)
    touched = 0
    baseline = None
    for epoch in range(20):
        loader.set_epoch(epoch)
        for batch in loader:
            touched += int(batch["image"][:, 0, 0, 0].sum() >= 0) + len(batch["samples"])
        del batch
        if epoch == 1:
            gc.collect()
            baseline = rss_bytes()
            threads_after_two = loader_threads()
    gc.collect()
    growth = rss_bytes() - baseline
    # An epoch's workers and opener end with it (the last epoch's may still be ending).
    assert loader_threads() <= threads_after_two + 3
    metrics = loader.metrics
    assert metrics["peak_memory_bytes"] <= budget
    assert growth < budget, f"RSS grew {growth >> 20} MiB over 18 epochs (budget {budget >> 20} MiB)"
    assert _lib.live_handles()["batches"] == before["batches"]
    loader.close()
    assert _lib.live_handles() == before
    deadline = time.monotonic() + 10  # threads end once their loader is gone: a bounded wait for that
    while loader_threads() > threads_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loader_threads() <= threads_before, "the loader's threads outlived it"


def test_views_keep_their_batch_and_release_returns_it(typed_images):
    folder = typed_images("uint16", "uint16")
    before = _lib.live_handles()["batches"]
    loader = mifakit.Loader(folder, patch_size=(16, 16), batch_size=2, samples_per_epoch=8, seed=1)
    batch = next(iter(loader))
    view = batch["image"][0]
    copy = view.copy()
    batch.release()
    assert _lib.live_handles()["batches"] == before + 1  # the view still holds the buffer
    np.testing.assert_array_equal(view, copy)
    del view
    gc.collect()
    assert _lib.live_handles()["batches"] == before
    with loader:
        with next(iter(loader)) as held:
            assert held["image"].shape == (2, 2, 16, 16)
        assert _lib.live_handles()["batches"] == before


def test_two_loaders_in_one_process_and_threads(typed_images):
    a = mifakit.Loader(typed_images("uint16", "uint16"), patch_size=(16, 16), batch_size=4, samples_per_epoch=40, seed=1)
    b = mifakit.Loader(typed_images("float32", "int16"), patch_size=(24, 24), batch_size=3, label="cells",
                       samples_per_epoch=30, seed=2)
    reference = ([x["image"].sum() for x in a], [x["image"].sum() for x in b])
    results = {}

    def run(name, loader):
        results[name] = [x["image"].sum() for x in loader]

    threads = [threading.Thread(target=run, args=("a", a)), threading.Thread(target=run, args=("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (results["a"], results["b"]) == reference
    interleaved_a, interleaved_b = [], []
    for x, y in zip(a, b):
        interleaved_a.append(x["image"].sum())
        interleaved_b.append(y["image"].sum())
    assert interleaved_a == reference[0][:len(interleaved_a)] and interleaved_b == reference[1][:len(interleaved_b)]
