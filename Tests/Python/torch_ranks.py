"""Run by test_torch.py under `torchrun --nproc_per_node 2`: each rank writes the epoch samples it
read (from mifakit.torch.IterableDataset, ranks from torch.distributed) to OUT/rank-<r>.json."""
import json
import sys
from pathlib import Path

import torch.distributed

import mifakit.torch

folder, out = sys.argv[1], Path(sys.argv[2])
torch.distributed.init_process_group("gloo")
dataset = mifakit.torch.IterableDataset(folder, patch_size=(16, 16), batch_size=4, samples_per_epoch=48, seed=9)
seen = {}
for epoch in range(2):
    dataset.set_epoch(epoch)
    seen[epoch] = [s["sample"] for batch in dataset for s in batch["samples"]]
rank = torch.distributed.get_rank()
(out / f"rank-{rank}.json").write_text(json.dumps({"rank": rank, "shard": dataset.shard(), "seen": seen}))
torch.distributed.barrier()
torch.distributed.destroy_process_group()
