import numpy as np
import pytest
import torch

import scgan

SMALL = {"n_latent": 16, "generator_hidden": [64], "critic_hidden": [64], "enable_progress_bar": False}


def test_train_routes_options(simulated):
    model = scgan.tl.train(simulated, condition_key="cell_type", max_epochs=2, count_head="nb", n_critic=2, **SMALL)
    assert model.module.count_head == "nb"
    assert len(model.history["critic_loss"]) == 2
    # two critic steps per generator step: the generator's loss is logged in every epoch
    assert np.isfinite(model.history["generator_loss"].to_numpy(dtype=float)).all()
    with pytest.raises(TypeError):
        scgan.tl.train(simulated, condition_key="cell_type", max_epochs=1, not_an_option=3, **SMALL)


def test_planted_rare_markers_are_generated(simulated):
    """The rare type's marker program (6x in 10% of cells) is expressed by the generated rare cells."""
    model = scgan.tl.train(
        simulated, condition_key="cell_type", max_epochs=600, random_state=0, lr_generator=1e-3, lr_critic=1e-3, **SMALL
    )
    syn = scgan.tl.generate(model, {"rare": 200, "type_0": 200, "type_1": 200}, random_state=0)
    markers = (simulated.var["marker_of"] == "rare").to_numpy()
    normalised = syn.X.toarray() / np.maximum(syn.X.sum(1).A, 1)
    rare = (syn.obs["cell_type"] == "rare").to_numpy()
    fold = normalised[rare][:, markers].mean() / normalised[~rare][:, markers].mean()
    real = simulated.X.toarray() / simulated.X.sum(1).A
    real_rare = (simulated.obs["cell_type"] == "rare").to_numpy()
    real_fold = real[real_rare][:, markers].mean() / real[~real_rare][:, markers].mean()
    assert fold > 0.6 * real_fold, (fold, real_fold)
    assert fold > 3


def test_augment_balances_classes(simulated):
    model = scgan.tl.train(simulated, condition_key="cell_type", max_epochs=2, **SMALL)
    counts = simulated.obs["cell_type"].value_counts()
    out = scgan.tl.augment(simulated, model, key="cell_type")
    assert (out.obs["cell_type"].value_counts() == counts.max()).all()
    assert (out.obs["scgan_origin"] == "real").sum() == simulated.n_obs
    assert list(out.obs["scgan_origin"].cat.categories) == ["real", "synthetic"]
    assert out.obs_names.is_unique
    assert out.uns["scgan_augment"]["added"]["rare"] == counts.max() - counts["rare"]
    assert out.X.dtype.kind == "i"
    only_rare = scgan.tl.augment(simulated, model, key="cell_type", target={"rare": 100})
    assert (only_rare.obs["cell_type"] == "rare").sum() == 100
    assert only_rare.n_obs == simulated.n_obs + 100 - counts["rare"]
    assert scgan.tl.augment(simulated, model, key="cell_type", target=10).n_obs == simulated.n_obs


def test_augment_errors(simulated):
    model = scgan.tl.train(simulated, condition_key="cell_type", max_epochs=1, **SMALL)
    with pytest.raises(KeyError, match="celltype"):
        scgan.tl.augment(simulated, model, key="celltype")
    with pytest.raises(ValueError, match="unknown"):
        scgan.tl.augment(simulated, model, key="cell_type", target={"unknown": 5})
    with pytest.raises(ValueError, match="conditioned"):
        scgan.tl.augment(simulated, model, key="condition")


def test_same_seed_same_cells(simulated):
    """The seed covers the initial weights, the minibatches and the sampling."""
    first = scgan.tl.train(simulated.copy(), condition_key="cell_type", max_epochs=2, random_state=4, **SMALL)
    torch.manual_seed(123)  # global state in between must not matter
    second = scgan.tl.train(simulated.copy(), condition_key="cell_type", max_epochs=2, random_state=4, **SMALL)
    a = scgan.tl.generate(first, 40, random_state=1)
    b = scgan.tl.generate(second, 40, random_state=1)
    assert (a.X != b.X).nnz == 0
