import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import scgan
from scgan.metrics import _oversampling
from scgan.metrics._features import PCASpace
from scgan.metrics._oversampling import ScaledLogSpace
from scgan.pp._split import split_indices
from scgan.tl._benchmark_oversampling import GENERATORS

COLUMNS = [
    "seed",
    "n_rare",
    "method",
    "classifier",
    "features",
    "rare_f1",
    "rare_precision",
    "rare_recall",
    "macro_f1",
    "balanced_accuracy",
    "n_synthetic",
]
FAST = {"n_seeds": 1, "n_top_genes": 60, "progress": False}


def _train_test(adata, seed, test_size=0.3):
    train, test = split_indices(adata.obs["cell_type"].to_numpy(), test_size=test_size, random_state=seed)
    return adata.obs_names[train], adata.obs_names[test]


def _median_target(adata, seed, n_rare):
    train, _ = _train_test(adata, seed)
    sizes = adata.obs.loc[train, "cell_type"].value_counts().to_dict()
    sizes["rare"] = n_rare
    return round(float(np.median(list(sizes.values()))))


def _resample_rare(train_adata, label, n_cells):
    """A user generator: real rare training cells drawn with replacement."""
    rare = np.flatnonzero(train_adata.obs["cell_type"] == label)
    drawn = np.random.default_rng(0).choice(rare, n_cells)
    return ad.AnnData(X=train_adata.X[drawn], var=train_adata.var[[]])


def test_tidy_results_summary_and_uns(simulated, tmp_path):
    methods = ("none", "class_weight", "random", "smote", "floor")
    results = scgan.tl.benchmark_oversampling(
        simulated, key="cell_type", rare="rare", n_rare=(5, 10), methods=methods, **FAST
    )
    assert list(results.columns) == COLUMNS
    assert len(results) == 2 * len(methods) * 2 * 2
    assert set(results["method"]) == set(methods)
    assert set(results["classifier"]) == {"logreg", "random_forest"}
    assert set(results["features"]) == {"pca", "hvg"}
    scores = results[COLUMNS[5:10]].to_numpy()
    assert np.all((scores >= 0) & (scores <= 1))

    # every augmentation arm brings the rare class to exactly the median training class size
    for n_rare, group in results.groupby("n_rare"):
        added = group.set_index("method")["n_synthetic"]
        assert set(added[["none", "class_weight"]]) == {0}
        assert set(added[["random", "smote", "floor"]]) == {_median_target(simulated, 0, n_rare) - n_rare}

    summary = scgan.tl.summarize_oversampling(results)
    assert len(summary) == 2 * len(methods) * 2 * 2
    assert {"rare_f1_mean", "rare_f1_std", "macro_f1_mean", "n_synthetic_mean", "n_seeds"} <= set(summary.columns)
    assert set(summary["n_seeds"]) == {1}

    stored = simulated.uns["scgan_oversampling"]
    assert set(stored) == {"results", "summary", "comparison", "params"}
    assert stored["comparison"].empty  # no scgan arm
    assert stored["params"]["rare"] == "rare"
    simulated.write_h5ad(tmp_path / "bench.h5ad")
    back = ad.read_h5ad(tmp_path / "bench.h5ad").uns["scgan_oversampling"]
    pd.testing.assert_frame_equal(
        back["results"].reset_index(drop=True), results, check_dtype=False, check_categorical=False
    )
    assert list(back["params"]["methods"]) == list(methods)


def test_integer_target_and_extra_method(simulated):
    results = scgan.tl.benchmark_oversampling(
        simulated,
        key="cell_type",
        rare="rare",
        n_rare=8,
        target=30,
        methods=("random",),
        classifiers=("logreg",),
        features=("pca",),
        extra_methods={"resample": _resample_rare},
        **FAST,
    )
    assert list(results["method"]) == ["random", "resample"]
    assert set(results["n_synthetic"]) == {22}


def test_generators_and_hvgs_see_only_training_cells(simulated):
    # the test cells of each seed carry their own planted gene, far more variable than any real one
    test_cells = {seed: set(_train_test(simulated, seed)[1]) for seed in (3, 4)}
    planted = np.stack([simulated.obs_names.isin(cells) * 500 for cells in test_cells.values()], axis=1)
    adata = ad.AnnData(
        X=sp.hstack([simulated.X, sp.csr_matrix(planted)]).tocsr(),
        obs=simulated.obs,
        var=pd.DataFrame(index=[*simulated.var_names, "planted_3", "planted_4"]),
    )
    seen = []

    def recorder(train_adata, label, n_cells):
        seen.append(train_adata)
        return _resample_rare(train_adata, label, n_cells)

    scgan.tl.benchmark_oversampling(
        adata,
        key="cell_type",
        rare="rare",
        n_rare=(6, 12),
        methods=("none",),
        classifiers=("logreg",),
        features=("pca",),
        extra_methods={"recorder": recorder},
        n_seeds=2,
        random_state=3,
        n_top_genes=30,
        progress=False,
    )
    assert len(seen) == 4
    for (seed, n_rare), train_adata in zip([(3, 6), (3, 12), (4, 6), (4, 12)], seen, strict=True):
        train, _ = _train_test(simulated, seed)
        assert not set(train_adata.obs_names) & test_cells[seed]
        assert set(train_adata.obs_names) <= set(train)
        assert (train_adata.obs["cell_type"] == "rare").sum() == n_rare
        assert (train_adata.obs["cell_type"] != "rare").sum() == (simulated.obs.loc[train, "cell_type"] != "rare").sum()
        # HVGs chosen from the training cells alone never include the gene that only test cells express
        assert f"planted_{seed}" not in train_adata.var_names
        assert train_adata.n_vars == 30


def test_feature_spaces_and_classifiers_see_only_training_cells(simulated, monkeypatch):
    # with every gene kept, the planted gene (only in test cells) reaches the features: any test cell in a fit shows
    _, test = _train_test(simulated, 0)
    planted = np.zeros((simulated.n_obs, 1), dtype=np.int32)
    planted[simulated.obs_names.isin(test), 0] = 500
    adata = ad.AnnData(
        X=sp.hstack([simulated.X, sp.csr_matrix(planted)]).tocsr(),
        obs=simulated.obs,
        var=pd.DataFrame(index=[*simulated.var_names, "planted"]),
    )
    fitted_counts, fitted_features = [], []
    for space in (PCASpace, ScaledLogSpace):
        original = space.fit

        def spy(self, counts, _original=original):
            fitted_counts.append(counts)
            return _original(self, counts)

        monkeypatch.setattr(space, "fit", spy)
    logreg = _oversampling.CLASSIFIERS["logreg"]

    def spy_classifier(**kwargs):
        model = logreg(**kwargs)
        original = model.fit

        def fit(features, labels):
            fitted_features.append((features, labels))
            return original(features, labels)

        model.fit = fit
        return model

    monkeypatch.setitem(_oversampling.CLASSIFIERS, "logreg", spy_classifier)
    results = scgan.tl.benchmark_oversampling(
        adata,
        key="cell_type",
        rare="rare",
        n_rare=10,
        methods=("none", "random", "smote", "floor"),
        classifiers=("logreg",),
        n_top_genes=adata.n_vars,
        n_seeds=1,
        progress=False,
    )
    n_train = (
        len(_train_test(simulated, 0)[0])
        - (simulated.obs.loc[_train_test(simulated, 0)[0], "cell_type"] == "rare").sum()
        + 10
    )
    assert len(fitted_counts) == 2
    for counts in fitted_counts:
        assert counts.shape == (n_train, adata.n_vars)
        assert counts[:, -1].sum() == 0
    assert len(fitted_features) == 4 * 2
    n_synthetic = results["n_synthetic"].to_numpy()
    for (features, labels), added in zip(fitted_features, n_synthetic, strict=True):
        assert features.shape[0] == len(labels) == n_train + added
    # z-scored HVG features: the planted gene is exactly 0 in training, and would not be if a test cell had been
    # used to fit the scaler, or had been added to the classifier's cells
    hvg_fits = [
        features for (features, _), name in zip(fitted_features, results["features"], strict=True) if name == "hvg"
    ]
    assert len(hvg_fits) == 4
    for features in hvg_fits:
        assert np.all(features[:, -1] == 0)


def test_floor_generator_draws_integer_cells_of_the_rare_profile(simulated):
    train_adata = simulated[simulated.obs["cell_type"] != "type_1"].copy()
    synthetic = GENERATORS["floor"](train_adata, "rare", 1000, key="cell_type", random_state=0)
    assert synthetic.shape == (1000, simulated.n_vars)
    assert list(synthetic.var_names) == list(simulated.var_names)
    assert np.issubdtype(synthetic.X.dtype, np.integer)
    rare = train_adata[train_adata.obs["cell_type"] == "rare"].X
    profile = np.asarray(rare.sum(axis=0)).ravel() / rare.sum()
    drawn = np.asarray(synthetic.X.sum(axis=0)).ravel() / synthetic.X.sum()
    assert np.corrcoef(profile, drawn)[0, 1] > 0.99
    other = train_adata[train_adata.obs["cell_type"] == "type_0"].X
    assert np.abs(drawn - profile).sum() < np.abs(drawn - np.asarray(other.sum(axis=0)).ravel() / other.sum()).sum()


def test_scvi_arm(simulated):
    results = scgan.tl.benchmark_oversampling(
        simulated,
        key="cell_type",
        rare="rare",
        n_rare=10,
        methods=("scvi",),
        classifiers=("logreg",),
        features=("pca",),
        model_kwargs={"scvi": {"max_epochs": 1, "n_latent": 5}},
        **FAST,
    )
    assert list(results["n_synthetic"]) == [_median_target(simulated, 0, 10) - 10]
    train_adata = simulated[:, :40].copy()
    synthetic = GENERATORS["scvi"](train_adata, "rare", 25, key="cell_type", random_state=0, max_epochs=1)
    assert synthetic.shape == (25, 40)
    assert np.issubdtype(synthetic.X.dtype, np.integer)
    assert synthetic.X.min() >= 0
    assert "_scvi_uuid" not in train_adata.uns


def test_compare_oversampling_pairs_seeds_with_the_best_other_arm():
    rows = []
    for seed, (gan, smote, random) in enumerate([(0.8, 0.7, 0.5), (0.6, 0.7, 0.5), (0.9, 0.7, 0.6)]):
        for method, f1 in (("scgan", gan), ("smote", smote), ("random", random)):
            rows.append(
                {"seed": seed, "n_rare": 10, "method": method, "classifier": "logreg", "features": "pca", "rare_f1": f1}
            )
    results = pd.DataFrame(rows)
    comparison = scgan.tl.compare_oversampling(results)
    assert len(comparison) == 1
    row = comparison.iloc[0]
    assert row["best_other"] == "smote"
    assert row["rare_f1"] == pytest.approx(2.3 / 3)
    assert row["mean_difference"] == pytest.approx(0.2 / 3)
    assert row["std_difference"] == pytest.approx(np.std([0.1, -0.1, 0.2], ddof=1))
    assert row["n_seeds_won"] == 2
    assert row["n_seeds"] == 3
    assert scgan.tl.compare_oversampling(results, method="floor").empty


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"key": "celltype"}, KeyError, "Available columns"),
        ({"rare": "B cells"}, ValueError, "Available labels: \\['rare', 'type_0', 'type_1'\\]"),
        ({"n_rare": 100}, ValueError, "n_rare=100 exceeds the 28 cells of 'rare'"),
        ({"methods": ("none", "gan")}, ValueError, "Unknown method \\['gan'\\]. Known: \\['none'"),
        (
            {"classifiers": ("svm",)},
            ValueError,
            "Unknown classifier \\['svm'\\]. Known: \\['logreg', 'random_forest'\\]",
        ),
        ({"features": ("umap",)}, ValueError, "Unknown features \\['umap'\\]. Known: \\['pca', 'hvg'\\]"),
        ({"extra_methods": {"smote": _resample_rare}}, ValueError, "reuse built-in method names"),
        ({"model_kwargs": {"scvii": {}}}, ValueError, "per generator arm"),
        ({"target": "mean"}, ValueError, "target must be 'median'"),
        ({"methods": ()}, ValueError, "at least one method"),
    ],
)
def test_errors(simulated, kwargs, error, match):
    params = {"key": "cell_type", "rare": "rare", "n_rare": 5, "methods": ("none",), **FAST} | kwargs
    with pytest.raises(error, match=match):
        scgan.tl.benchmark_oversampling(simulated, **params)


def test_generator_returning_the_wrong_number_of_cells(simulated):
    def short(train_adata, label, n_cells):
        return _resample_rare(train_adata, label, n_cells - 1)

    with pytest.raises(ValueError, match="'short' must return an AnnData of"):
        scgan.tl.benchmark_oversampling(
            simulated, key="cell_type", rare="rare", n_rare=5, methods=(), extra_methods={"short": short}, **FAST
        )
