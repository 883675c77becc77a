"""mifakit.torch: tensors share the loader's memory, DataLoader worker processes and torchrun ranks
read disjoint shares that cover each epoch, and 50 steps of a tiny network lower its loss."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import mifakit.torch  # noqa: E402

HERE = Path(__file__).resolve().parent


def test_tensors_share_the_batch_memory(typed_images):
    folder = typed_images("uint16", "uint16")
    loader = mifakit.Loader(folder, patch_size=(16, 16), batch_size=4, label="cells", samples_per_epoch=8)
    batch = next(iter(loader))
    tensors = mifakit.torch.to_torch(batch)
    assert tensors["image"].data_ptr() == batch["image"].ctypes.data
    assert tensors["mask"].shape == (4, 16, 16) and tensors["image"].dtype == torch.uint16
    assert len(tensors["samples"]) == 4


def test_dataloader_workers_read_disjoint_shares_that_cover_the_epoch(typed_images):
    folder = typed_images("uint16", "uint16")
    dataset = mifakit.torch.IterableDataset(folder, patch_size=(16, 16), batch_size=4, samples_per_epoch=48, seed=3)
    loader = mifakit.torch.data_loader(dataset, num_workers=2)
    for epoch in range(2):
        dataset.set_epoch(epoch)
        samples = [s["sample"] for batch in loader for s in batch["samples"]]
        assert sorted(samples) == list(range(48)), epoch


def test_torchrun_ranks_are_disjoint_and_cover_the_epoch(typed_images, tmp_path):
    folder = typed_images("uint16", "uint16")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # A free port, not a fixed one: a run just before may still hold a fixed one (TIME_WAIT).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port),
                          str(HERE / "torch_ranks.py"), str(folder), str(tmp_path)],
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank-{r}.json").read_text()) for r in range(2)]
    assert [r["shard"] for r in ranks] == [[0, 2], [1, 2]]
    for epoch in ("0", "1"):
        a, b = (set(r["seen"][epoch]) for r in ranks)
        assert not a & b and sorted(a | b) == list(range(48))


def test_fifty_steps_of_a_tiny_network_lower_the_loss(nuclei):
    torch.manual_seed(0)
    dataset = mifakit.torch.IterableDataset(nuclei, patch_size=(64, 64), batch_size=8, label="set1", sampler="label_aware",
                                            samples_per_epoch=400, dtype=np.float32, seed=1, annotations=[])
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 1, 3, padding=1))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for batch in dataset:
        image = batch["image"]
        image = (image - image.mean()) / (image.std() + 1e-6)
        target = (batch["mask"].int() > 0).float()[:, None]  # torch compares uint16 only after a conversion
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(image), target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if len(losses) == 50:
            break
    assert len(losses) == 50
    assert np.mean(losses[-10:]) < 0.8 * np.mean(losses[:5]), losses
