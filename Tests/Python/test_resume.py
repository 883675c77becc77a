"""state_dict / load_state_dict resume mid-epoch exactly: the same remaining batches."""
import hashlib
import random

import mifakit


def fingerprint(batch):
    digest = hashlib.sha256(batch["image"].tobytes())
    digest.update(batch["mask"].tobytes())
    return batch.index, [(s["image_id"], s["region"]) for s in batch["samples"]], digest.hexdigest()


def test_resume_at_random_steps_reproduces_the_rest_of_the_epoch(typed_images):
    folder = typed_images("uint16", "uint16")
    arguments = dict(patch_size=(24, 24), batch_size=4, label="cells", samples_per_epoch=40, seed=21, augment=True)
    reference = mifakit.Loader(folder, **arguments)
    reference.set_epoch(3)
    full = [fingerprint(b) for b in reference]
    assert len(full) == 10
    rng = random.Random(5)
    for step in sorted(rng.sample(range(0, 11), 4)):
        first = mifakit.Loader(folder, **arguments, num_workers=1)
        first.set_epoch(3)
        iterator = iter(first)
        for _ in range(step):
            next(iterator)
        state = first.state_dict()
        assert state == {"seed": 21, "epoch": 3, "batch": step}
        resumed = mifakit.Loader(folder, **arguments, num_workers=3, prefetch=3)
        resumed.load_state_dict(state)
        assert [fingerprint(b) for b in resumed] == full[step:]
        # The next iteration of the resumed loader starts the epoch again.
        assert [fingerprint(b) for b in resumed] == full


def test_a_state_of_another_seed_is_refused(typed_images):
    folder = typed_images("uint16", "uint16")
    loader = mifakit.Loader(folder, patch_size=(24, 24), batch_size=4, samples_per_epoch=8, seed=1)
    try:
        loader.load_state_dict({"seed": 2, "epoch": 0, "batch": 1})
    except mifakit.StateError as error:
        assert error.code == "invalid-checkpoint"
    else:
        raise AssertionError("a state of another seed was taken")
