import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from scgan import benchmark
from scgan.benchmark._scvi import _evenly

KEYS = ["cell_type", "condition"]


@pytest.fixture(scope="module")
def trained(_simulated):
    """The simulated cells (a copy, to check it is left alone) and an SCVI trained one epoch on both columns."""
    adata = _simulated.copy()
    return adata, benchmark.train_scvi(adata, key=KEYS, max_epochs=1, n_latent=4)


def test_conditions_are_categorical_covariates_and_adata_is_left_alone(trained, _simulated):
    adata, model = trained
    setup = model.registry_["setup_args"]
    assert setup["categorical_covariate_keys"] == KEYS
    assert setup["labels_key"] is None
    assert setup["batch_key"] is None
    assert not any(key.startswith("_scvi") for key in adata.uns)
    assert list(adata.obs.columns) == list(_simulated.obs.columns)
    assert list(model.adata.var_names) == list(adata.var_names)


def test_samples_are_integer_counts_of_training_cells_of_each_condition(trained):
    adata, model = trained
    wanted = {("rare", "stim"): 50, ("type_0", "ctrl"): 7}
    synthetic = benchmark.sample_scvi(model, wanted, random_state=0)
    assert synthetic.shape == (57, adata.n_vars)
    assert sp.issparse(synthetic.X)
    assert synthetic.X.dtype == np.int32
    assert synthetic.X.min() >= 0
    assert synthetic.X.sum() > 0
    assert list(synthetic.var_names) == list(adata.var_names)
    assert synthetic.obs_names.is_unique
    assert (
        list(zip(*(synthetic.obs[key] for key in KEYS), strict=True))
        == [("rare", "stim")] * 50 + [("type_0", "ctrl")] * 7
    )
    assert list(synthetic.obs["cell_type"].cat.categories) == list(adata.obs["cell_type"].cat.categories)
    sources = adata.obs.loc[synthetic.obs["source_cell"], KEYS]
    np.testing.assert_array_equal(sources.to_numpy(dtype=str), synthetic.obs[KEYS].to_numpy(dtype=str))
    # every rare stimulated training cell is decoded once before any is decoded twice
    n_candidates = int(((adata.obs["cell_type"] == "rare") & (adata.obs["condition"] == "stim")).sum())
    uses = synthetic.obs["source_cell"][:50].value_counts()
    assert len(uses) == min(n_candidates, 50)
    assert uses.max() - uses.min() <= 1


def test_same_seed_same_cells(trained):
    _, model = trained
    first = benchmark.sample_scvi(model, {("rare", "ctrl"): 30}, random_state=1)
    again = benchmark.sample_scvi(model, {("rare", "ctrl"): 30}, random_state=1)
    other = benchmark.sample_scvi(model, {("rare", "ctrl"): 30}, random_state=2)
    assert (first.X != again.X).nnz == 0
    assert list(first.obs["source_cell"]) == list(again.obs["source_cell"])
    assert (first.X != other.X).nnz > 0


def test_a_table_of_conditions_keeps_its_row_order_and_an_int_draws_from_every_cell(trained):
    adata, model = trained
    table = pd.DataFrame({"cell_type": ["type_1", "rare", "type_1"], "condition": ["stim", "ctrl", "ctrl"]})
    synthetic = benchmark.sample_scvi(model, table, random_state=0)
    np.testing.assert_array_equal(synthetic.obs[KEYS].to_numpy(dtype=str), table.to_numpy(dtype=str))
    everyone = benchmark.sample_scvi(model, adata.n_obs, random_state=0)
    assert set(everyone.obs["source_cell"]) == set(adata.obs_names)


@pytest.mark.parametrize(
    ("request_", "error", "match"),
    [
        ({("B cells", "ctrl"): 3}, ValueError, "No training cell has the condition .*'B cells'"),
        ({"rare": 3}, ValueError, "has 1 values; the model is conditioned on \\['cell_type', 'condition'\\]"),
        (pd.DataFrame({"cell_type": ["rare"]}), KeyError, "lack the columns \\['condition'\\]"),
    ],
)
def test_requests_that_cannot_be_met(trained, request_, error, match):
    _, model = trained
    with pytest.raises(error, match=match):
        benchmark.sample_scvi(model, request_)


def test_missing_condition_column(simulated):
    with pytest.raises(KeyError, match="Available columns"):
        benchmark.scvi_samples(simulated, key="batch", n_cells=3)


def test_evenly_uses_each_candidate_once_per_round():
    rng = np.random.default_rng(0)
    drawn = _evenly(np.array([4, 5, 6]), 8, rng)
    assert len(drawn) == 8
    assert sorted(drawn[:3]) == sorted(drawn[3:6]) == [4, 5, 6]
    assert len(_evenly(np.array([4]), 0, rng)) == 0
