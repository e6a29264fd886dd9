import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scgan import benchmark
from scgan.benchmark._harness import downsample_rare, featurise_test
from scgan.metrics import _oversampling
from scgan.metrics._features import PCASpace
from scgan.metrics._oversampling import ScaledLogSpace
from scgan.pp._split import split_indices

FAST = {"n_seeds": 1, "n_top_genes": 60}


def _train_test(adata, seed, test_size=0.3):
    train, test = split_indices(adata.obs["cell_type"].to_numpy(), test_size=test_size, random_state=seed)
    return adata.obs_names[train], adata.obs_names[test]


def _with_planted_genes(adata, columns: dict) -> ad.AnnData:
    """`adata` plus one gene per entry, 500 counts in the given cells and 0 elsewhere."""
    planted = np.stack([adata.obs_names.isin(cells) * 500 for cells in columns.values()], axis=1)
    return ad.AnnData(
        X=sp.hstack([adata.X, sp.csr_matrix(planted)]).tocsr(),
        obs=adata.obs,
        var=pd.DataFrame(index=[*adata.var_names, *columns]),
    )


def test_downsample_rare_keeps_nested_subsets_of_the_rare_training_cells():
    labels = np.array(["a"] * 30 + ["rare"] * 20)
    train = np.arange(0, 50, 2)
    kept = {n: downsample_rare(train, labels, rare="rare", n_kept=n, random_state=1) for n in (3, 6)}
    for n, rows in kept.items():
        assert np.all(np.isin(rows, train))
        assert np.sum(labels[rows] == "rare") == n
        np.testing.assert_array_equal(rows[labels[rows] == "a"], train[labels[train] == "a"])
    assert set(kept[3]) < set(kept[6])
    other_seed = downsample_rare(train, labels, rare="rare", n_kept=6, random_state=2)
    assert set(other_seed) != set(kept[6])


def test_integer_target_extra_method_and_params(simulated, oversampling, resample_rare):
    results = oversampling(
        simulated,
        key="cell_type",
        rare="rare",
        n_rare=8,
        target=30,
        methods=("random",),
        classifiers=("logreg",),
        features=("pca",),
        extra_methods={"resample": resample_rare},
        **FAST,
    )
    assert list(results["method"]) == ["random", "resample"]
    assert set(results["n_synthetic"]) == {22}
    params = results.attrs["params"]
    assert params["methods"] == ["random", "resample"]
    assert params["n_rare"] == [8]
    assert params["target"] == 30
    assert "scgan_oversampling" not in simulated.uns  # the harness writes nothing; scgan.tl does


def test_generators_and_hvgs_see_only_training_cells(simulated, oversampling, resample_rare):
    # the test cells of each seed carry their own planted gene, far more variable than any real one
    test_cells = {seed: set(_train_test(simulated, seed)[1]) for seed in (3, 4)}
    adata = _with_planted_genes(simulated, {f"planted_{seed}": cells for seed, cells in test_cells.items()})
    seen = []

    def recorder(train_adata, label, n_cells):
        seen.append(train_adata)
        return resample_rare(train_adata, label, n_cells)

    oversampling(
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


def test_feature_spaces_and_classifiers_see_only_training_cells(simulated, oversampling, monkeypatch):
    # with every gene kept, the planted gene (only in test cells) reaches the features: any test cell in a fit shows
    train, test = _train_test(simulated, 0)
    adata = _with_planted_genes(simulated, {"planted": set(test)})
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
    results = oversampling(
        adata,
        key="cell_type",
        rare="rare",
        n_rare=10,
        methods=("none", "random", "smote", "floor"),
        classifiers=("logreg",),
        n_top_genes=adata.n_vars,
        n_seeds=1,
    )
    n_train = len(train) - (simulated.obs.loc[train, "cell_type"] == "rare").sum() + 10
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


def test_options_reach_their_arm(simulated, oversampling, monkeypatch):
    seen = {}

    def scvi_arm(fold, **options):
        seen[fold.random_state] = options
        return fold.resampled(_oversampling.oversample_none)

    monkeypatch.setitem(benchmark.ARMS, "scvi", scvi_arm)
    results = oversampling(
        simulated,
        key="cell_type",
        rare="rare",
        n_rare=5,
        methods=("scvi",),
        classifiers=("logreg",),
        features=("pca",),
        model_kwargs={"scvi": {"max_epochs": 2}},
        n_seeds=2,
        random_state=7,
        n_top_genes=60,
    )
    assert seen == {7: {"max_epochs": 2}, 8: {"max_epochs": 2}}
    assert list(results["seed"]) == [7, 8]
    assert results.attrs["params"]["model_kwargs"] == {"scvi": {"max_epochs": 2}}


def test_test_cells_are_featurised_in_the_folds_spaces(simulated, fold):
    test = np.arange(10)
    labels = simulated.obs["cell_type"].astype(str).to_numpy()
    held_out = featurise_test(simulated, simulated.X, labels, test, fold=fold)
    np.testing.assert_array_equal(held_out.labels, labels[:10])
    for name, space in fold.spaces.items():
        np.testing.assert_allclose(held_out.features[name], space.transform(simulated.X[:10][:, :60]), atol=1e-6)


def test_a_rare_class_already_at_target_gets_nothing(simulated, oversampling):
    results = oversampling(
        simulated,
        key="cell_type",
        rare="rare",
        n_rare=8,
        target=5,
        methods=("random", "floor"),
        classifiers=("logreg",),
        **FAST,
    )
    assert set(results["n_synthetic"]) == {0}
