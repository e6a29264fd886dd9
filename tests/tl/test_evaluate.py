"""tl.evaluate: the fidelity table, its real-vs-real reference, what it stores and how it refuses bad input."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest

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
    "non_integer_fraction",
}
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


def test_uns_stored_and_writable(evaluated, tmp_path):
    table, synthetic, *_ = evaluated
    stored = synthetic.uns["scgan_evaluation"]
    pd.testing.assert_frame_equal(pd.DataFrame(stored["table"]), table)
    assert stored["params"]["key"] == "cell_type" and stored["params"]["n_comps"] == 20
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
