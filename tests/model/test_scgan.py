"""Model tests in scvi-tools' shape: small data, setup, train briefly, every public method, save, load."""

import json
import types

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

import scgan
from scgan.model import SCGAN

SMALL = {"n_latent": 16, "generator_hidden": [32], "critic_hidden": [32]}
FAST = {"enable_progress_bar": False, "batch_size": 64}


@pytest.fixture
def trained(simulated):
    SCGAN.setup_anndata(simulated, condition_keys=["cell_type", "condition"])
    model = SCGAN(simulated, **SMALL)
    model.train(max_epochs=3, **FAST)
    return model, simulated


def test_train_fills_history(trained):
    model, _ = trained
    assert model.is_trained_
    for key in ("critic_loss", "generator_loss", "wasserstein", "gradient_penalty"):
        assert len(model.history[key]) == 3, key
        assert np.isfinite(model.history[key].to_numpy(dtype=float)).all()


def test_generate_output_contract(trained):
    model, adata = trained
    syn = model.generate({("rare", "stim"): 7, ("type_0", "ctrl"): 5}, random_state=3)
    assert syn.shape == (12, adata.n_vars)
    assert sp.issparse(syn.X) and syn.X.format == "csr" and syn.X.dtype == np.int32
    assert syn.X.min() >= 0
    assert list(syn.var_names) == list(adata.var_names)
    assert list(syn.obs["cell_type"].cat.categories) == list(adata.obs["cell_type"].cat.categories)
    assert (syn.obs["cell_type"] == "rare").sum() == 7 and (syn.obs["condition"] == "stim").sum() == 7
    assert syn.obs["scgan_synthetic"].all() and syn.obs_names.is_unique
    np.testing.assert_array_equal(syn.obs["library_size"], np.asarray(syn.X.sum(1)).ravel())
    assert syn.uns["scgan"]["condition_keys"] == ["cell_type", "condition"]
    syn.write_h5ad  # noqa: B018
    scgan.pp.check_counts(syn)


def test_generate_is_seeded(trained):
    model, _ = trained
    a = model.generate(30, random_state=1)
    b = model.generate(30, random_state=1)
    c = model.generate(30, random_state=2)
    assert (a.X != b.X).nnz == 0
    assert (a.X != c.X).nnz > 0


def test_generate_int_follows_training_proportions(trained):
    model, adata = trained
    syn = model.generate(2000, random_state=0)
    expected = adata.obs["cell_type"].value_counts(normalize=True)
    observed = syn.obs["cell_type"].value_counts(normalize=True)
    np.testing.assert_allclose(observed[expected.index], expected, atol=0.04)


def test_generate_dataframe_and_errors(trained):
    model, _ = trained
    table = pd.DataFrame({"cell_type": ["rare", "type_1"], "condition": ["ctrl", "stim"]})
    assert model.generate(table).obs["cell_type"].tolist() == ["rare", "type_1"]
    with pytest.raises(ValueError, match="type_0"):
        model.generate({("unknown", "ctrl"): 3})
    with pytest.raises(KeyError, match="condition"):
        model.generate(pd.DataFrame({"cell_type": ["rare"]}))
    with pytest.raises(ValueError, match="tuples"):
        model.generate({"rare": 3})
    for bad in ({("rare", "ctrl"): -5}, {("rare", "ctrl"): 2.5}, 0, "ten"):
        with pytest.raises(ValueError, match="integer"):
            model.generate(bad)
    with pytest.raises(ValueError, match="no cells"):
        model.generate({("rare", "ctrl"): 0})


def test_library_size_follows_the_condition(simulated):
    """Library size depends on cell type: the generated cells of a type keep that type's depth."""
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    model.train(max_epochs=1, **FAST)
    library = np.asarray(simulated.X.sum(1)).ravel()
    for label in simulated.obs["cell_type"].cat.categories:
        syn = model.generate({label: 300}, random_state=0)
        real_median = np.median(library[(simulated.obs["cell_type"] == label).to_numpy()])
        assert np.median(syn.obs["library_size"]) == pytest.approx(real_median, rel=0.15)


def test_save_load_round_trip(trained, tmp_path):
    model, adata = trained
    before = model.generate({("rare", "ctrl"): 20}, random_state=5)
    model.save(tmp_path / "model")
    settings = json.loads((tmp_path / "model" / "settings.json").read_text())
    assert settings["var_names"] == list(adata.var_names)
    for loaded in (SCGAN.load(tmp_path / "model"), SCGAN.load(tmp_path / "model", adata=adata.copy())):
        after = loaded.generate({("rare", "ctrl"): 20}, random_state=5)
        assert (before.X != after.X).nnz == 0
        assert list(loaded.history["critic_loss"].index) == list(model.history["critic_loss"].index)
        assert loaded.module.critic_scale.item() == model.module.critic_scale.item()
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "model")
    model.save(tmp_path / "model", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no staging folders left behind


def test_critic_scale_and_noise_are_saved(simulated, tmp_path):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)  # the defaults: the median library size, Student-t noise with 3 df
    model.train(max_epochs=1, **FAST)
    median = torch.as_tensor(np.asarray(simulated.X.sum(1)).ravel(), dtype=torch.float32).median().item()
    assert model.module.critic_scale.item() == median
    assert model.module.noise_df == 3
    model.save(tmp_path / "model")
    loaded = SCGAN.load(tmp_path / "model")
    assert loaded.module.critic_scale.item() == median
    assert loaded.module.noise_df == 3
    before = model.generate({"rare": 20}, random_state=5)
    assert (loaded.generate({"rare": 20}, random_state=5).X != before.X).nnz == 0


def test_critic_minibatch_std_trains_and_is_saved(simulated, tmp_path):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL, critic_minibatch_std=4)
    model.train(max_epochs=1, **FAST)
    assert np.isfinite(model.history["critic_loss"].to_numpy(dtype=float)).all()
    model.save(tmp_path / "model")
    loaded = SCGAN.load(tmp_path / "model")
    # the score reads the 32 hidden features and the group spread
    assert loaded.module.critic.minibatch_std == 4 and loaded.module.critic.score.in_features == 33
    torch.testing.assert_close(loaded.module.critic.score.weight, model.module.critic.score.weight)


def test_load_checks_genes_and_categories(trained, tmp_path):
    model, adata = trained
    model.save(tmp_path / "model")
    with pytest.raises(ValueError, match="genes"):
        SCGAN.load(tmp_path / "model", adata=adata[:, :50].copy())
    other = adata.copy()
    other.obs["cell_type"] = other.obs["cell_type"].cat.rename_categories({"rare": "new_type"})
    with pytest.raises(ValueError, match="new_type"):
        SCGAN.load(tmp_path / "model", adata=other)
    with pytest.raises(FileNotFoundError):
        SCGAN.load(tmp_path / "missing")


def test_save_is_atomic(trained, tmp_path, monkeypatch):
    model, _ = trained
    model.save(tmp_path / "model")
    original = (tmp_path / "model" / "model.safetensors").read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("scgan.model._persistence.save_file", fail)
    with pytest.raises(OSError, match="disk full"):
        model.save(tmp_path / "model", overwrite=True)
    assert (tmp_path / "model" / "model.safetensors").read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize(("head", "loss"), [("nb", "wgan-gp"), ("continuous", "wgan"), ("poisson", "gan")])
def test_heads_and_losses_train(simulated, head, loss):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, count_head=head, loss=loss, **SMALL)
    model.train(max_epochs=2, **FAST)
    syn = model.generate(50)
    assert syn.X.dtype == np.int32 and syn.X.sum() > 0


def test_covariates(simulated):
    rng = np.random.default_rng(0)
    simulated.obsm["snps"] = rng.integers(0, 2, size=(simulated.n_obs, 4)).astype(np.float32)
    simulated.obs["age"] = rng.normal(50, 10, simulated.n_obs)
    SCGAN.setup_anndata(simulated, condition_keys=None, covariate_keys="age", covariate_obsm_key="snps")
    model = SCGAN(simulated, **SMALL)
    assert model.covariate_names == ["age", "snps:0", "snps:1", "snps:2", "snps:3"]
    model.train(max_epochs=1, **FAST)
    table = pd.DataFrame(np.ones((3, 5)), columns=model.covariate_names)
    syn = model.generate(table)
    assert syn.n_obs == 3 and (syn.obs["snps:0"] == 1).all()
    assert model.generate(10).n_obs == 10  # covariates drawn from training cells


def test_setup_errors(simulated):
    with pytest.raises(KeyError, match="Available columns"):
        SCGAN.setup_anndata(simulated, condition_keys="celltype")
    with pytest.raises(KeyError, match="obsm"):
        SCGAN.setup_anndata(simulated, condition_keys="cell_type", covariate_obsm_key="snps")
    with pytest.raises(ValueError, match="condition"):
        SCGAN.setup_anndata(simulated, condition_keys=None)
    lognorm = simulated.copy()
    lognorm.X = np.log1p(lognorm.X.toarray())
    with pytest.raises(ValueError, match="raw counts"):
        SCGAN.setup_anndata(lognorm, condition_keys="cell_type")
    with pytest.raises(KeyError, match="counts"):
        SCGAN.setup_anndata(simulated, condition_keys="cell_type", layer="counts")


def test_untrained_model_refuses_to_generate(simulated):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    with pytest.raises(RuntimeError, match="train"):
        SCGAN(simulated, **SMALL).generate(5)


def test_nan_loss_stops_training(simulated):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    with torch.no_grad():
        model.module.critic.score.weight.fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="diverged"):
        model.train(max_epochs=2, **FAST)


def test_generator_moving_average():
    from scgan.model._training_plan import GANTrainingPlan
    from scgan.module import ConditionalGAN

    module = ConditionalGAN(10, n_cats_per_key=[2], n_latent=4, generator_hidden=[8], critic_hidden=[8])
    plan = GANTrainingPlan(module, ema_decay=0.9)
    bias = module.generator.logits.bias
    with torch.no_grad():
        bias.fill_(0.0)
    plan._update_ema()
    with torch.no_grad():
        bias.fill_(1.0)
    plan._update_ema()
    # bias-corrected: (0.9 * 0.1 * 0 + 0.1 * 1) / (1 - 0.9**2), the zero start carrying no weight
    with plan.averaged_generator():
        assert torch.allclose(module.generator.logits.bias, torch.full((10,), 0.1 / 0.19))
    assert (module.generator.logits.bias == 1.0).all()  # raw weights are back after the block
    for _ in range(200):
        plan._update_ema()
    with plan.averaged_generator():
        assert torch.allclose(module.generator.logits.bias, torch.ones(10), atol=1e-6)


def test_training_returns_the_averaged_generator(simulated, training_plans):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    model.train(max_epochs=3, plan_kwargs={"keep_best": False, "ema_decay": 0.5}, **FAST)
    (plan,) = training_plans
    assert plan.ema_steps > 0
    for average, weight in zip(plan._averaged_weights(), model.module.generator.state_dict().values(), strict=True):
        assert torch.equal(average, weight)


def plan_outside_a_trainer(simulated, n_cells: int, **plan_kwargs):
    """A training plan on a tiny GAN, validated on `n_cells` simulated cells, with a stand-in single-process trainer."""
    from scgan.model._training_plan import GANTrainingPlan, ValidationCells
    from scgan.module import ConditionalGAN

    counts = torch.as_tensor(simulated.X.toarray()[:n_cells], dtype=torch.float32)
    module = ConditionalGAN(counts.shape[1], n_cats_per_key=[1], n_latent=4, generator_hidden=[8], critic_hidden=[8])
    cells = ValidationCells(
        counts=counts, categorical=torch.zeros(n_cells, 1, dtype=torch.long), continuous=None, pca_counts=counts
    )
    plan = GANTrainingPlan(module, validation=cells, **plan_kwargs)
    plan.trainer = types.SimpleNamespace(
        is_global_zero=True,
        strategy=types.SimpleNamespace(broadcast=lambda obj, src: obj),
        current_epoch=0,
        callback_metrics={},
    )
    plan.log = lambda *args, **kwargs: None
    plan.total_steps = 100
    return plan, module, counts


def test_validation_keeps_the_raw_generator_when_the_average_is_worse(simulated):
    plan, module, counts = plan_outside_a_trainer(simulated, 100, ema_decay=0.5, n_validation_pcs=5)
    with torch.no_grad():  # raw generator: the mean profile of the cells; average: everything in one gene
        module.generator.logits.weight.zero_()
        module.generator.logits.bias.copy_(torch.log(counts.sum(0) + 1))
    plan._update_ema()
    plan.ema_generator = [torch.zeros_like(w) for w in plan.ema_generator]
    plan.ema_generator[list(module.generator.state_dict()).index("logits.bias")][0] = 100.0
    plan._validate()
    kept = plan.kept_generators[0][1]["logits.bias"]
    assert torch.equal(kept, module.generator.logits.bias)


def test_validation_keeps_the_generators_with_the_lowest_scores(simulated):
    plan, module, _ = plan_outside_a_trainer(simulated, 50, ema_decay=0.0, n_kept_generators=2)
    scores = [5.0, 3.0, 4.0, 1.0, 2.0, 6.0]
    plan._score = lambda candidate: scores[plan.critic_steps]
    for check in range(len(scores)):  # check i: the generator's bias is i everywhere
        plan.critic_steps = check
        with torch.no_grad():
            module.generator.logits.bias.fill_(check)
        plan._validate()
    assert [score for score, _ in plan.kept_generators] == [1.0, 2.0]
    assert plan.best_step == 3 and plan.checks_without_improvement == 2
    plan.on_train_end()
    assert [generator.logits.bias[0].item() for generator in module.generators] == [3.0, 4.0]


def test_validation_keeps_no_generator_of_a_check_before_keep_from(simulated):
    plan, module, _ = plan_outside_a_trainer(simulated, 50, ema_decay=0.0, n_kept_generators=2, keep_from=0.5)
    plan.total_steps = 6
    scores = [1.0, 2.0, 3.0, 5.0, 4.0, 6.0]  # the best scores come first, before half of the budget
    plan._score = lambda candidate: scores[plan.critic_steps]
    for check in range(len(scores)):
        plan.critic_steps = check
        with torch.no_grad():
            module.generator.logits.bias.fill_(check)
        plan._validate()
    assert [score for score, _ in plan.kept_generators] == [4.0, 5.0]
    assert plan.best_step == 4
    plan.on_train_end()
    assert [generator.logits.bias[0].item() for generator in module.generators] == [4.0, 3.0]


def test_a_mixture_of_kept_generators_is_saved_and_dropped_by_further_training(simulated, tmp_path):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    model.train(max_epochs=3, plan_kwargs={"validation_interval": 2}, **FAST)
    assert len(model.module.generators) == 3  # the default keeps three
    before = model.generate({"rare": 30}, random_state=2)
    model.save(tmp_path / "model")
    loaded = SCGAN.load(tmp_path / "model")
    assert len(loaded.module.generators) == 3
    assert (loaded.generate({"rare": 30}, random_state=2).X != before.X).nnz == 0
    model.train(max_epochs=1, plan_kwargs={"keep_best": False}, **FAST)
    assert len(model.module.generators) == 1


def test_validation_scores_three_draws_per_cell_in_50_exact_components(simulated, training_plans):
    from sklearn.decomposition import PCA

    from scgan.metrics._features import log1p_cp10k

    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    sizes = []
    generate = model.module.generate
    model.module.generate = lambda cat, cont, library: sizes.append(library.shape[0]) or generate(cat, cont, library)
    model.train(max_epochs=1, enable_progress_bar=False, batch_size=512)  # one batch: every training cell
    (plan,) = training_plans
    train_idx, val_idx = model._validation_split(0.1, 0)
    assert sizes and set(sizes) == {3 * val_idx.size}
    # the space: the 50 leading principal components of the training cells, exactly (not randomised)
    pca = plan._pca.pca
    assert pca.svd_solver == "full" and pca.components_.shape == (50, simulated.n_vars)
    expected = PCA(50, svd_solver="full").fit(log1p_cp10k(simulated.X[train_idx]))
    np.testing.assert_allclose(np.abs((pca.components_ * expected.components_)[:10].sum(1)), 1, atol=1e-3)


@pytest.mark.parametrize("ema_decay", [1.0, -0.1, 1.5])
def test_ema_decay_out_of_range(simulated, ema_decay):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    with pytest.raises(ValueError, match="ema_decay"):
        SCGAN(simulated, **SMALL).train(max_epochs=1, plan_kwargs={"ema_decay": ema_decay}, **FAST)


def test_counts_to_csr_matches_the_dense_counts():
    from scgan.model._generation import counts_to_csr as _counts_to_csr

    counts = torch.poisson(torch.rand(40, 25) * 0.8)
    counts[[0, 7, 39]] = 0  # empty rows at the start, middle and end
    csr = _counts_to_csr(counts)
    assert csr.dtype == np.int32 and csr.shape == (40, 25) and csr.has_sorted_indices
    np.testing.assert_array_equal(csr.toarray(), counts.numpy().astype(np.int32))
    assert _counts_to_csr(torch.zeros(0, 5)).shape == (0, 5)


@pytest.mark.parametrize(("early_stopping", "n_epochs"), [(True, 3), (False, 8)])
def test_early_stopping_on_a_validation_score_that_stops_improving(simulated, early_stopping, n_epochs):
    # a frozen generator scores the same on every check: the first is the best, two more checks end the run
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    plan_kwargs = {"lr_generator": 0.0, "early_stopping": early_stopping, "early_stopping_patience": 2}
    model.train(max_epochs=8, plan_kwargs={**plan_kwargs, "validation_interval": 5}, **FAST)  # 5 steps: one epoch
    assert len(model.history["critic_loss"]) == n_epochs
    assert model.best_epoch == 0


def test_early_stopping_without_validation_warns_and_trains_all_epochs(simulated):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    with pytest.warns(UserWarning, match="early_stopping needs keep_best"):
        model.train(max_epochs=4, plan_kwargs={"early_stopping": True, "keep_best": False}, **FAST)
    assert len(model.history["critic_loss"]) == 4


def test_early_stopping_patience_below_one(simulated):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    with pytest.raises(ValueError, match="early_stopping_patience"):
        SCGAN(simulated, **SMALL).train(max_epochs=1, plan_kwargs={"early_stopping_patience": 0}, **FAST)
