"""tl.evaluate: the fidelity table, its real-vs-real reference, what it stores and how it refuses bad input."""

from functools import partial

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import scgan
from scgan.metrics._features import PCASpace
from scgan.pp._split import split_indices

METRICS = {
    "auroc",
    "mmd",
    "mean_corr",
    "var_corr",
    "zero_frac_corr",
    "zero_frac_mae",
    "library_size_ks",
    "zero_fraction_ks",
    "label_f1",
    "marker_jaccard",
    "de_lfc_pearson",
    "de_lfc_spearman",
    "de_top_overlap",
    "de_sign_agreement",
    "precision",
    "recall",
    "density",
    "coverage",
    "program_corr",
    "non_integer_fraction",
}
MEMORISATION = {"memorisation_ratio", "memorisation_fraction"}
LABELS = ["all", "type_0", "type_1", "rare"]


@pytest.fixture(scope="module")
def population():
    """Real train and held-out test cells of one simulated population."""
    adata = scgan.datasets.simulate(
        n_cells=600, n_genes=120, n_cell_types=3, rare_fraction=0.15, n_markers=20, n_response_genes=10, random_state=0
    )
    train, test = split_indices(adata.obs["cell_type"].to_numpy(), test_size=0.4, random_state=0)
    return adata[train].copy(), adata[test].copy()


def as_synthetic(adata):
    """Real cells posing as synthetic ones: a perfect generator."""
    synthetic = adata.copy()
    synthetic.obs_names = "syn_" + synthetic.obs_names
    return synthetic


@pytest.fixture(scope="module")
def evaluated(population):
    """One evaluation of train cells posing as synthetic, recording what the PCA was fitted on."""
    train, test = population
    synthetic = as_synthetic(train)
    fitted = []

    class RecordingPCASpace(PCASpace):
        def fit(self, counts):
            fitted.append(counts)
            return super().fit(counts)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("scgan.tl._evaluate.PCASpace", RecordingPCASpace)
        table = scgan.tl.evaluate(test, synthetic, key="cell_type", n_top_genes=60, n_comps=20)
    return table, synthetic, test, fitted


def rows(table, metric):
    return table[table["metric"] == metric].set_index("label")


def test_table_format(evaluated):
    table, *_ = evaluated
    assert list(table.columns) == ["metric", "label", "synthetic", "reference", "ideal", "n_real", "n_synthetic"]
    assert set(table["metric"]) == METRICS
    for metric in METRICS - {"label_f1"}:
        assert list(rows(table, metric).index) == LABELS, metric
    assert list(rows(table, "label_f1").index) == ["all"]
    ideal = table.groupby("metric")["ideal"].first()
    assert ideal["auroc"] == 0.5 and ideal["mmd"] == 0 and ideal["label_f1"] == 1 and ideal["library_size_ks"] == 0
    auroc = rows(table, "auroc")
    assert auroc.loc["all", "n_real"] == auroc.loc[LABELS[1:], "n_real"].sum()
    assert table["n_real"].dtype == np.int64 and table["n_synthetic"].dtype == np.int64


def test_reference_filled_and_synthetic_like_real(evaluated):
    table, *_ = evaluated
    overall = table[table["label"] == "all"].set_index("metric")
    assert overall["reference"].notna().all()
    assert overall.loc["auroc", "synthetic"] < 0.7 and overall.loc["auroc", "reference"] < 0.7
    assert overall.loc["mean_corr", "synthetic"] > 0.9
    assert overall.loc["label_f1", "synthetic"] > 0.8
    assert overall.loc["non_integer_fraction", "synthetic"] == 0
    for metric in ("de_lfc_pearson", "de_sign_agreement", "recall", "coverage", "program_corr"):
        assert overall.loc[metric, "synthetic"] > 0.8 and overall.loc[metric, "reference"] > 0.8, metric
    markers = rows(table, "marker_jaccard")
    assert markers.loc["all", "synthetic"] == pytest.approx(markers.loc[LABELS[1:], "synthetic"].mean())


def test_shuffled_genes_fail(population):
    train, test = population
    synthetic = as_synthetic(train)
    synthetic.X = synthetic.X[:, np.random.default_rng(0).permutation(synthetic.n_vars)]
    table = scgan.tl.evaluate(test, synthetic, key="cell_type", n_comps=20)
    overall = table[table["label"] == "all"].set_index("metric")
    assert overall.loc["auroc", "synthetic"] > 0.9 and overall.loc["auroc", "reference"] < 0.7
    assert overall.loc["mean_corr", "synthetic"] < 0.5
    assert overall.loc["label_f1", "synthetic"] < 0.5
    assert overall.loc["marker_jaccard", "synthetic"] < 0.3
    assert overall.loc["de_top_overlap", "synthetic"] < 0.5 and overall.loc["de_top_overlap", "reference"] > 0.7
    assert overall.loc["coverage", "synthetic"] < 0.1 and overall.loc["coverage", "reference"] > 0.8
    assert overall.loc["program_corr", "synthetic"] < 0.5 and overall.loc["program_corr", "reference"] > 0.8


def test_uns_stored_and_writable(evaluated, tmp_path):
    table, synthetic, *_ = evaluated
    stored = synthetic.uns["scgan_evaluation"]
    pd.testing.assert_frame_equal(pd.DataFrame(stored["table"]), table)
    assert stored["params"]["key"] == "cell_type" and stored["params"]["n_comps"] == 20
    assert stored["params"]["contrast_key"] is None
    assert set(stored["params"]["program_genes"]) <= set(stored["params"]["hvgs"])
    synthetic.write_h5ad(tmp_path / "synthetic.h5ad")
    back = ad.read_h5ad(tmp_path / "synthetic.h5ad").uns["scgan_evaluation"]
    assert list(back["table"]["metric"]) == list(table["metric"])
    np.testing.assert_allclose(back["table"]["synthetic"], table["synthetic"])


def test_pca_fitted_on_neither_compared_nor_reference_cells(evaluated):
    table, synthetic, test, fitted = evaluated
    params = synthetic.uns["scgan_evaluation"]["params"]
    fit, compared, reference = set(params["fit_cells"]), set(params["compared_cells"]), set(params["reference_cells"])
    assert fit and compared and reference
    assert not fit & compared and not fit & reference and not compared & reference
    assert len(params["hvgs"]) == 60
    (matrix,) = fitted
    expected = test[list(params["fit_cells"]), list(params["hvgs"])].X
    assert (matrix != expected).nnz == 0
    assert rows(table, "auroc").loc["all", "n_real"] == len(compared)


def test_reference_layer_missing_genes_and_tiny_label(population):
    train, test = population
    halves = split_indices(train.obs["cell_type"].to_numpy(), test_size=0.5, random_state=0)
    reference, synthetic = train[halves[0]].copy(), as_synthetic(train[halves[1]])
    one_rare = np.flatnonzero(synthetic.obs["cell_type"] == "rare")[:1]
    synthetic = synthetic[np.concatenate([np.flatnonzero(synthetic.obs["cell_type"] != "rare"), one_rare])].copy()
    synthetic = synthetic[:, synthetic.var_names[5:]].copy()
    real = test.copy()
    for adata in (real, reference):
        adata.layers["counts"] = adata.X.copy()
        adata.X = adata.X * 0.5
    with pytest.warns(UserWarning, match="lack 5 of the 120 genes"):
        table = scgan.tl.evaluate(real, synthetic, key="cell_type", layer="counts", reference=reference, n_comps=20)
    params = synthetic.uns["scgan_evaluation"]["params"]
    assert params["fit_on"] == "reference" and params["n_genes"] == 115
    assert set(params["compared_cells"]) == set(real.obs_names)
    assert set(params["fit_cells"]) <= set(reference.obs_names)
    assert not set(params["fit_cells"]) & set(params["reference_cells"])
    auroc = rows(table, "auroc")
    assert auroc.loc["rare", "n_synthetic"] == 1 and np.isnan(auroc.loc["rare", "synthetic"])
    assert auroc.loc["all", "synthetic"] < 0.7
    assert rows(table, "non_integer_fraction").loc["all", "reference"] == 0


def test_errors(population):
    train, test = population
    synthetic = as_synthetic(train)
    with pytest.raises(KeyError, match="Available columns"):
        scgan.tl.evaluate(test, synthetic, key="batch")
    with pytest.raises(KeyError, match="'cell_type' not found"):
        scgan.tl.evaluate(test, ad.AnnData(synthetic.X, var=synthetic.var), key="cell_type")
    with pytest.raises(KeyError, match="Layer 'counts' not found"):
        scgan.tl.evaluate(test, synthetic, key="cell_type", layer="counts")
    with pytest.raises(ValueError, match="empty"):
        scgan.tl.evaluate(test[:0].copy(), synthetic, key="cell_type")
    unknown = synthetic.copy()
    unknown.obs["cell_type"] = unknown.obs["cell_type"].cat.add_categories("ghost")
    unknown.obs.iloc[0, unknown.obs.columns.get_loc("cell_type")] = "ghost"
    with pytest.raises(ValueError, match=r"\['ghost'\]"):
        scgan.tl.evaluate(test, unknown, key="cell_type")
    with pytest.warns(UserWarning, match="also in `reference`"), pytest.raises(ValueError, match="ghost"):
        scgan.tl.evaluate(test, unknown, key="cell_type", reference=test)
    with pytest.raises(ValueError, match="lack 60 of the 120 genes"):
        scgan.tl.evaluate(test, synthetic[:, 60:].copy(), key="cell_type")
    missing = test.copy()
    missing.obs["cell_type"] = missing.obs["cell_type"].astype(object)
    missing.obs.iloc[0, missing.obs.columns.get_loc("cell_type")] = np.nan
    with pytest.raises(ValueError, match="missing labels"):
        scgan.tl.evaluate(missing, synthetic, key="cell_type")
    for max_cells in (0, 2.5, "100"):
        with pytest.raises(ValueError, match="max_cells must be a positive integer"):
            scgan.tl.evaluate(test, synthetic, key="cell_type", max_cells=max_cells)


@pytest.fixture
def small_forests(monkeypatch):
    """The classifier test with 10 trees and 2 folds: the forests take most of evaluate's time, and the tests
    using this fixture check other rows."""
    monkeypatch.setattr(
        "scgan.tl._evaluate_fidelity.classifier_auroc",
        partial(scgan.metrics.classifier_auroc, n_estimators=10, n_folds=2),
    )


def halves_of(cells):
    """Half of the cells, and the other half posing as synthetic cells."""
    first, second = split_indices(cells.obs["cell_type"].to_numpy(), test_size=0.5, random_state=0)
    return cells[first].copy(), as_synthetic(cells[second])


def test_contrast_key_compares_conditions_within_each_cell_type(population, small_forests):
    train, test = population
    real, synthetic = halves_of(test)
    table = scgan.tl.evaluate(real, synthetic, key="cell_type", contrast_key="condition", reference=train, n_comps=20)
    pearson = rows(table, "de_lfc_pearson")
    assert list(pearson.index) == LABELS
    assert pearson.loc["all", "synthetic"] == pytest.approx(pearson.loc[LABELS[1:], "synthetic"].mean())
    assert pearson.loc["all", "synthetic"] > 0.5 and pearson.loc["all", "reference"] > 0.5
    assert synthetic.uns["scgan_evaluation"]["params"]["contrast_key"] == "condition"
    # the reference cells match the synthetic cells' composition of cell type x condition
    reference_cells = train[synthetic.uns["scgan_evaluation"]["params"]["reference_cells"]]
    composition = reference_cells.obs.groupby(["cell_type", "condition"], observed=True).size()
    pd.testing.assert_series_equal(composition, synthetic.obs.groupby(["cell_type", "condition"], observed=True).size())

    # a generator that ignores the stimulation: control cells for both conditions (other control cells for stim)
    control = synthetic[synthetic.obs["condition"] == "ctrl"]
    as_stim = as_synthetic(train[train.obs["condition"] == "ctrl"])
    ignored = ad.concat([control, as_stim])
    ignored.obs["condition"] = pd.Categorical(
        ["ctrl"] * control.n_obs + ["stim"] * as_stim.n_obs, categories=["ctrl", "stim"]
    )
    table = scgan.tl.evaluate(real, ignored, key="cell_type", contrast_key="condition", reference=train, n_comps=20)
    overall = table[table["label"] == "all"].set_index("metric")
    assert overall.loc["de_lfc_pearson", "synthetic"] < 0.3 < overall.loc["de_lfc_pearson", "reference"]
    assert overall.loc["de_sign_agreement", "synthetic"] < 0.7 < overall.loc["de_sign_agreement", "reference"]
    assert overall.loc["recall", "synthetic"] < overall.loc["recall", "reference"]


def test_contrast_key_with_more_levels_names_each_contrast(population, small_forests):
    train, test = population
    reference, synthetic = halves_of(train)
    for adata in (test, reference, synthetic):
        adata.obs["dose"] = pd.Categorical(np.arange(adata.n_obs) % 3, categories=[0, 1, 2]).rename_categories(
            ["none", "low", "high"]
        )
    table = scgan.tl.evaluate(test, synthetic, key="cell_type", contrast_key="dose", reference=reference, n_comps=20)
    assert list(rows(table, "de_top_overlap").index) == [
        "all",
        *(f"{label}: {level} vs none" for label in LABELS[1:] for level in ("low", "high")),
    ]
    with pytest.raises(KeyError, match="'batch' not found"):
        scgan.tl.evaluate(test, synthetic, key="cell_type", contrast_key="batch")


def test_memorisation_flags_noisy_copies_of_training_cells(population, small_forests):
    train, test = population
    reference, synthetic = halves_of(train)
    table = scgan.tl.evaluate(test, synthetic, key="cell_type", reference=train[reference.obs_names], n_comps=20)
    assert MEMORISATION <= set(table["metric"])
    new_cells = table[table["label"] == "all"].set_index("metric")
    # new real cells: as far from the training cells as the held-out cells are
    assert 0.8 < new_cells.loc["memorisation_ratio", "synthetic"] < 1.25
    assert new_cells.loc["memorisation_fraction", "synthetic"] < 0.05
    assert list(rows(table, "memorisation_ratio").index) == LABELS

    # a generator that returns its training cells with a fifth of their counts thinned out
    copies = as_synthetic(train)
    copies.X = sp.csr_matrix(np.random.default_rng(0).binomial(train.X.toarray(), 0.8).astype(np.int32))
    table = scgan.tl.evaluate(test, copies, key="cell_type", reference=train, n_comps=20)
    overall = table[table["label"] == "all"].set_index("metric")
    assert overall.loc["memorisation_ratio", "synthetic"] < 0.6 < 0.9 < overall.loc["memorisation_ratio", "reference"]
    assert (
        overall.loc["memorisation_fraction", "synthetic"]
        > 0.7
        > 0.05
        > overall.loc["memorisation_fraction", "reference"]
    )


def test_max_cells_bounds_every_side_by_label(population, small_forests, monkeypatch):
    """On data larger than `max_cells`, the fitted, compared and synthetic cells are stratified samples: about
    `max_cells` each, every label in its share but at least MIN_CELLS_PER_LABEL cells."""
    monkeypatch.setattr("scgan.tl._evaluate.MIN_CELLS_PER_LABEL", 10)
    train, test = population
    reference, synthetic = halves_of(train)
    table = scgan.tl.evaluate(test, synthetic, key="cell_type", reference=reference, n_comps=20, max_cells=60)
    params = synthetic.uns["scgan_evaluation"]["params"]
    sides = {
        "fit": reference.obs.loc[params["fit_cells"], "cell_type"],
        "compared": test.obs.loc[params["compared_cells"], "cell_type"],
        "synthetic": synthetic.obs.loc[params["synthetic_cells"], "cell_type"],
    }
    population_shares = train.obs["cell_type"].value_counts(normalize=True)
    for side, labels in sides.items():
        assert 55 <= len(labels) <= 65, side
        assert labels.index.is_unique, side
        counts = labels.value_counts()
        assert counts.min() >= 10, side
        assert np.allclose(counts / counts.sum(), population_shares[counts.index], atol=0.05), side
    assert len(params["reference_cells"]) == len(sides["synthetic"])
    auroc = rows(table, "auroc")
    assert auroc.loc["all", "n_real"] == len(sides["compared"])
    assert auroc.loc["all", "n_synthetic"] == len(sides["synthetic"])
    assert params["max_cells"] == 60
    unbounded = scgan.tl.evaluate(test, synthetic, key="cell_type", reference=reference, n_comps=20, max_cells=None)
    assert rows(unbounded, "auroc").loc["all", "n_real"] == test.n_obs
    assert rows(unbounded, "auroc").loc["all", "n_synthetic"] == synthetic.n_obs
