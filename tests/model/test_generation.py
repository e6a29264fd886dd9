"""Generation to memory and, in blocks, to an `.h5ad` file."""

import types

import h5py
import numpy as np
import pytest

from scgan.model import SCGAN

SMALL = {"n_latent": 16, "generator_hidden": [32], "critic_hidden": [32]}


@pytest.fixture
def model(simulated):
    SCGAN.setup_anndata(simulated, condition_keys=["cell_type", "condition"])
    model = SCGAN(simulated, **SMALL)
    model.train(max_steps=4, enable_progress_bar=False, batch_size=64)
    return model


def test_generation_to_a_file_gives_the_cells_of_generation_in_memory(model, tmp_path):
    request = {("rare", "stim"): 130, ("type_0", "ctrl"): 70}
    in_memory = model.generate(request, random_state=3, batch_size=64)
    on_disk = model.generate(request, random_state=3, batch_size=64, filename=tmp_path / "syn.h5ad")
    assert on_disk.isbacked and on_disk.n_obs == 200
    assert (on_disk.X[:] != in_memory.X).nnz == 0 and on_disk.X[:].dtype == np.int32
    assert on_disk.obs.equals(in_memory.obs)
    assert on_disk.uns["scgan"]["n_cells"] == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["syn.h5ad"]
    with h5py.File(tmp_path / "syn.h5ad", "r") as file:  # chunked for reading back, not one value at a time
        assert all(file["X"][name].chunks[0] >= 2**16 for name in ("data", "indices", "indptr"))


def test_interrupted_generation_leaves_no_file(model, tmp_path, monkeypatch):
    from scgan.model import _generation

    blocks = []
    original = _generation.counts_to_csr

    def fail_on_third_block(counts):
        blocks.append(counts.shape[0])
        if len(blocks) == 3:
            raise KeyboardInterrupt
        return original(counts)

    monkeypatch.setattr(_generation, "counts_to_csr", fail_on_third_block)
    with pytest.raises(KeyboardInterrupt):
        model.generate(500, batch_size=100, filename=tmp_path / "syn.h5ad")
    assert list(tmp_path.iterdir()) == []


def test_request_larger_than_memory_without_a_file_is_refused(model, monkeypatch):
    monkeypatch.setattr(
        "scgan.model._generation.psutil.virtual_memory", lambda: types.SimpleNamespace(available=10_000)
    )
    with pytest.raises(MemoryError, match=r"pass filename='cells.h5ad' to write them to disk in blocks"):
        model.generate(500, batch_size=100)


def test_generation_options_are_checked(model, tmp_path):
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        model.generate(5, batch_size=0)
    with pytest.raises(ValueError, match=r"filename must end in '.h5ad'"):
        model.generate(5, filename=tmp_path / "syn.csv")
