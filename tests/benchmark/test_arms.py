import dataclasses

import numpy as np
import pytest

import scgan
from scgan import benchmark
from scgan.benchmark import _arms
from scgan.benchmark._arms import takes_options


def test_registry_holds_every_arm_in_order():
    assert list(benchmark.ARMS) == ["none", "class_weight", "random", "smote", "floor", "scvi", "scgan"]
    assert [name for name, arm in benchmark.ARMS.items() if takes_options(arm)] == ["scvi", "scgan"]


@pytest.mark.parametrize(
    ("arm", "n_synthetic", "class_weight"),
    [("none", 0, None), ("class_weight", 0, "balanced"), ("random", 20, None), ("smote", 20, None)],
)
def test_feature_space_arms(fold, arm, n_synthetic, class_weight):
    training = benchmark.ARMS[arm](fold)
    assert set(training) == {"pca", "hvg"}
    for name, train_set in training.items():
        assert train_set.n_synthetic == n_synthetic
        assert train_set.class_weight == class_weight
        assert np.sum(train_set.labels == "rare") == 40 + n_synthetic
        np.testing.assert_array_equal(train_set.features[: fold.adata.n_obs], fold.features[name])


@pytest.fixture
def generated(monkeypatch):
    """Cells each generator arm makes, by arm name, with the fold's classifier-side work skipped."""
    cells = {}

    def keep(self, generator, *, name):
        cells[name] = generator(self.adata.copy(), self.rare, self.n_needed)
        return {}

    monkeypatch.setattr(benchmark.Fold, "with_generated", keep)
    return cells


def test_floor_arm_draws_integer_cells_of_the_rare_profile(fold, generated):
    benchmark.ARMS["floor"](dataclasses.replace(fold, target=1040))
    synthetic = generated["floor"]
    assert synthetic.shape == (1000, fold.adata.n_vars)
    assert list(synthetic.var_names) == list(fold.adata.var_names)
    assert np.issubdtype(synthetic.X.dtype, np.integer)
    adata = fold.adata
    rare = adata[adata.obs["cell_type"] == "rare"].X
    profile = np.asarray(rare.sum(axis=0)).ravel() / rare.sum()
    drawn = np.asarray(synthetic.X.sum(axis=0)).ravel() / synthetic.X.sum()
    assert np.corrcoef(profile, drawn)[0, 1] > 0.99
    other = adata[adata.obs["cell_type"] == "type_0"].X
    assert np.abs(drawn - profile).sum() < np.abs(drawn - np.asarray(other.sum(axis=0)).ravel() / other.sum()).sum()


def test_scvi_arm_asks_the_scvi_baseline_for_the_rare_label(fold, generated, monkeypatch):
    calls = []

    def scvi_samples(adata, **kwargs):
        calls.append((adata, kwargs))
        return adata[:20].copy()

    monkeypatch.setattr(_arms, "scvi_samples", scvi_samples)
    benchmark.ARMS["scvi"](fold, max_epochs=3, n_latent=5)
    ((adata, kwargs),) = calls
    assert kwargs == {"key": "cell_type", "n_cells": {"rare": 20}, "random_state": 0, "max_epochs": 3, "n_latent": 5}
    assert list(adata.obs_names) == list(fold.adata.obs_names)
    assert generated["scvi"].n_obs == 20


@pytest.mark.parametrize("options", [{}, {"max_epochs": 7}, {"max_steps": 9, "n_critic": 2}])
def test_scgan_arm_is_train_then_augment_of_the_rare_label(fold, generated, monkeypatch, options):
    calls = {}

    def train(adata, **kwargs):
        calls["train"] = kwargs
        return "model"

    def augment(adata, model, **kwargs):
        calls["augment"] = (model, kwargs)
        out = adata[:60].copy()
        out.obs["scgan_synthetic"] = np.arange(60) >= 40
        return out

    monkeypatch.setattr(scgan.tl, "train", train)
    monkeypatch.setattr(scgan.tl, "augment", augment)
    benchmark.ARMS["scgan"](fold, **options)
    assert calls["train"] == {"condition_key": "cell_type", "random_state": 0, "enable_progress_bar": False, **options}
    assert fold.target == int(np.sum(fold.labels == "rare")) + 20
    assert calls["augment"] == ("model", {"key": "cell_type", "target": {"rare": fold.target}, "random_state": 0})
    assert list(generated["scgan"].obs_names) == list(fold.adata.obs_names[40:60])


def test_scgan_arm_cells_are_those_augment_adds(fold, generated):
    benchmark.ARMS["scgan"](fold, max_steps=4, n_latent=8, generator_hidden=[16], critic_hidden=[16])
    synthetic = generated["scgan"]
    assert synthetic.n_obs == 20 and synthetic.obs["scgan_synthetic"].all()
    assert (synthetic.obs["cell_type"] == "rare").all()
    assert np.issubdtype(synthetic.X.dtype, np.integer)


def test_generator_arm_wraps_a_user_callable(fold, resample_rare):
    arm = benchmark.generator_arm(resample_rare, name="mine")
    training = arm(fold)
    assert {train_set.n_synthetic for train_set in training.values()} == {20}
    with pytest.raises(ValueError, match="'short' must return"):
        benchmark.generator_arm(lambda adata, label, n: resample_rare(adata, label, n - 1), name="short")(fold)
