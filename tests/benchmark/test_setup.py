import pytest

FAST = {"n_seeds": 1, "n_top_genes": 60}


def _resample(train_adata, label, n_cells):
    return train_adata[:n_cells].copy()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"key": "celltype"}, KeyError, "Available columns"),
        ({"rare": "B cells"}, ValueError, "Available labels: \\['rare', 'type_0', 'type_1'\\]"),
        ({"n_rare": 100}, ValueError, "n_rare=100 exceeds the 28 cells of 'rare'"),
        ({"n_rare": 0}, ValueError, "n_rare must be one or more positive numbers"),
        ({"n_seeds": 0}, ValueError, "n_seeds must be at least 1"),
        ({"test_size": 1.5}, ValueError, "test_size must be between 0 and 1"),
        ({"n_top_genes": 0}, ValueError, "n_top_genes must be at least 1"),
        ({"methods": ("none", "gan")}, ValueError, "Unknown method \\['gan'\\]. Known: \\['none'"),
        (
            {"classifiers": ("svm",)},
            ValueError,
            "Unknown classifier \\['svm'\\]. Known: \\['logreg', 'random_forest'\\]",
        ),
        ({"features": ("umap",)}, ValueError, "Unknown features \\['umap'\\]. Known: \\['pca', 'hvg'\\]"),
        ({"extra_methods": {"smote": _resample}}, ValueError, "reuse built-in method names"),
        ({"model_kwargs": {"scvii": {}}}, ValueError, "per generator arm: \\['scvi', 'scgan'\\]"),
        ({"model_kwargs": {"smote": {"k": 3}}}, ValueError, "per generator arm"),
        ({"target": "mean"}, ValueError, "target must be 'median'"),
        ({"methods": ()}, ValueError, "at least one method"),
    ],
)
def test_errors_name_what_to_pass(simulated, oversampling, kwargs, error, match):
    params = {"key": "cell_type", "rare": "rare", "n_rare": 5, "methods": ("none",), **FAST} | kwargs
    with pytest.raises(error, match=match):
        oversampling(simulated, **params)


def test_rare_label_needs_a_test_cell(simulated, oversampling):
    adata = simulated[(simulated.obs["cell_type"] != "rare").to_numpy() | (simulated.obs_names == "cell_0")].copy()
    adata.obs["cell_type"] = adata.obs["cell_type"].astype(str)
    adata.obs.loc["cell_0", "cell_type"] = "rare"
    with pytest.warns(UserWarning, match="fewer than 2 cells"), pytest.raises(ValueError, match="reaches the test"):
        oversampling(adata, key="cell_type", rare="rare", n_rare=1, methods=("none",), **FAST)
