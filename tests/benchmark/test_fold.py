import dataclasses

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from scgan.metrics._oversampling import oversample_random


def test_resampled_tops_up_every_feature_space(fold):
    training = fold.resampled(oversample_random)
    assert set(training) == {"pca", "hvg"}
    for name, train_set in training.items():
        assert train_set.n_synthetic == fold.n_needed == 20
        assert np.sum(train_set.labels == "rare") == 60
        np.testing.assert_array_equal(train_set.features[: fold.adata.n_obs], fold.features[name])


def test_with_generated_featurises_cells_on_the_training_genes(fold):
    seen = []
    rare_counts = fold.adata[fold.adata.obs["cell_type"] == "rare"].X[:20].toarray()

    def generator(train_adata, label, n_cells):
        seen.append((label, n_cells))
        train_adata.X = train_adata.X * 0  # a copy: the fold's own cells must not change
        # the training genes in reverse order, plus one the fold does not have
        counts = np.hstack([rare_counts[:n_cells, ::-1], np.ones((n_cells, 1))])
        return ad.AnnData(X=counts, var=pd.DataFrame(index=[*fold.adata.var_names[::-1], "extra"]))

    training = fold.with_generated(generator, name="mine")
    assert seen == [("rare", 20)]
    assert fold.adata.X.sum() > 0
    for name, space in fold.spaces.items():
        np.testing.assert_allclose(training[name].features[-20:], space.transform(rare_counts), rtol=1e-5, atol=1e-5)
        assert list(training[name].labels[-20:]) == ["rare"] * 20
        assert training[name].n_synthetic == 20
        np.testing.assert_array_equal(training[name].features[:-20], fold.features[name])


def test_with_generated_skips_the_generator_when_nothing_is_needed(fold):
    full = dataclasses.replace(fold, target=40)

    def generator(*_):
        raise AssertionError("not needed")

    training = full.with_generated(generator, name="mine")
    assert full.n_needed == 0
    assert all(train_set.n_synthetic == 0 for train_set in training.values())


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda adata, n: adata[: n - 1].copy(), "'mine' must return an AnnData of 20 cells, got 19 cells"),
        (lambda adata, n: adata.X[:n], "'mine' must return an AnnData of 20 cells, got csr_(matrix|array)"),
        (lambda adata, n: adata[:n, 1:].copy(), "'mine' returned cells without the training genes"),
    ],
)
def test_with_generated_refuses_wrong_cells(fold, make, match):
    with pytest.raises(ValueError, match=match):
        fold.with_generated(lambda adata, label, n: make(adata, n), name="mine")
