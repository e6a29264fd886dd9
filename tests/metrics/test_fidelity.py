"""The fidelity kernels separate real from real (no signal) and real from broken cells (clear signal)."""

import numpy as np
import pytest
import scipy.sparse as sp

import scgan
from scgan.metrics import (
    cell_ks,
    classifier_auroc,
    gene_agreement,
    label_faithfulness,
    marker_overlap,
    mmd,
    non_integer_fraction,
)
from scgan.metrics._features import PCASpace, log1p_cp10k
from scgan.pp._split import split_indices


@pytest.fixture(scope="module")
def halves():
    """Two halves of one simulated population, the PCA fitted on a third part, and a gene-shuffled copy."""
    adata = scgan.datasets.simulate(
        n_cells=600, n_genes=150, n_cell_types=3, rare_fraction=0.15, n_markers=20, n_response_genes=10, random_state=0
    )
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    fit, rest = split_indices(labels, test_size=2 / 3, random_state=0)
    first, second = split_indices(labels[rest], test_size=0.5, random_state=0)
    first, second = rest[first], rest[second]
    counts = adata.X
    shuffled = counts[second][:, np.random.default_rng(0).permutation(adata.n_vars)]
    space = PCASpace(20).fit(counts[fit])
    return {
        "a": counts[first],
        "b": counts[second],
        "shuffled": shuffled,
        "a_pcs": space.transform(counts[first]),
        "b_pcs": space.transform(counts[second]),
        "shuffled_pcs": space.transform(shuffled),
        "a_labels": labels[first],
        "b_labels": labels[second],
    }


def wrong(labels):
    """Each cell type's cells carry the next type's label."""
    names = np.unique(labels)
    return np.array([names[(np.searchsorted(names, label) + 1) % names.size] for label in labels])


def test_auroc_real_vs_real_near_half_and_shuffled_near_one(halves):
    assert classifier_auroc(halves["a_pcs"], halves["b_pcs"], n_estimators=50) < 0.65
    assert classifier_auroc(halves["a_pcs"], halves["shuffled_pcs"], n_estimators=50) > 0.9


def test_auroc_small_sides():
    rng = np.random.default_rng(0)
    assert np.isnan(classifier_auroc(rng.normal(size=(1, 3)), rng.normal(size=(30, 3))))
    assert 0 <= classifier_auroc(rng.normal(size=(3, 3)), rng.normal(size=(30, 3)) + 5, n_estimators=10) <= 1


def test_mmd_real_vs_real_near_zero_and_shuffled_large(halves):
    same = mmd(halves["a_pcs"], halves["b_pcs"])
    shuffled = mmd(halves["a_pcs"], halves["shuffled_pcs"])
    assert abs(same) < 0.02
    assert shuffled > 0.3
    assert mmd(halves["a_pcs"], halves["b_pcs"], max_cells=50) == mmd(halves["a_pcs"], halves["b_pcs"], max_cells=50)
    assert np.isnan(mmd(halves["a_pcs"][:1], halves["b_pcs"]))


def test_gene_agreement_high_for_real_low_for_shuffled(halves):
    same = gene_agreement(halves["a"], halves["b"])
    shuffled = gene_agreement(halves["a"], halves["shuffled"])
    assert set(same) == {"mean_corr", "var_corr", "zero_frac_corr", "zero_frac_mae"}
    assert same["mean_corr"] > 0.95 and same["var_corr"] > 0.9 and same["zero_frac_corr"] > 0.9
    assert same["zero_frac_mae"] < 0.05
    assert shuffled["mean_corr"] < 0.5 and shuffled["zero_frac_corr"] < 0.5
    assert shuffled["zero_frac_mae"] > 2 * same["zero_frac_mae"]


def test_gene_agreement_sparse_equals_dense(halves):
    assert sp.issparse(halves["a"])
    sparse = gene_agreement(halves["a"], sp.csc_matrix(halves["b"]))
    dense = gene_agreement(halves["a"].toarray(), halves["b"].toarray())
    assert sparse == pytest.approx(dense)


def test_gene_agreement_empty_and_mismatched():
    assert all(np.isnan(value) for value in gene_agreement(np.zeros((0, 4)), np.ones((3, 4))).values())
    with pytest.raises(ValueError, match="4 and 5 genes"):
        gene_agreement(np.ones((2, 4)), np.ones((2, 5)))


def test_cell_ks_same_population_small_doubled_library_large(halves):
    same = cell_ks(halves["a"], halves["b"])
    doubled = cell_ks(halves["a"], halves["b"] * 2)
    assert same["library_size_ks"] < 0.2 and same["zero_fraction_ks"] < 0.2
    assert doubled["library_size_ks"] > 0.5
    assert cell_ks(halves["a"].toarray(), halves["b"].toarray()) == pytest.approx(same)


def test_label_faithfulness_right_and_wrong_labels(halves):
    right = label_faithfulness(halves["a_pcs"], halves["a_labels"], halves["b_pcs"], halves["b_labels"])
    wrong_labels = label_faithfulness(halves["a_pcs"], halves["a_labels"], halves["b_pcs"], wrong(halves["b_labels"]))
    assert right > 0.8
    assert wrong_labels < 0.2


def test_marker_overlap_right_and_wrong_labels(halves):
    a, b = log1p_cp10k(halves["a"]), log1p_cp10k(halves["b"])
    right = marker_overlap(a, halves["a_labels"], b, halves["b_labels"], n_markers=20)
    wrong_labels = marker_overlap(a, halves["a_labels"], b, wrong(halves["b_labels"]), n_markers=20)
    assert set(right) == {"type_0", "type_1", "rare"}
    assert min(right.values()) > 0.6
    assert max(wrong_labels.values()) < 0.2
    assert marker_overlap(sp.csr_matrix(a), halves["a_labels"], b, halves["b_labels"]) == pytest.approx(right)


def test_marker_overlap_label_missing_on_a_side(halves):
    a, b = log1p_cp10k(halves["a"]), log1p_cp10k(halves["b"])
    keep = halves["b_labels"] != "rare"
    overlap = marker_overlap(a, halves["a_labels"], b[keep], halves["b_labels"][keep])
    assert np.isnan(overlap["rare"]) and np.isfinite(overlap["type_0"])


def test_non_integer_fraction():
    counts = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
    assert non_integer_fraction(counts) == 0
    assert non_integer_fraction(counts + 0.5) == 1
    assert non_integer_fraction(np.array([[0.5, 1.0], [-1.0, np.nan]])) == 0.75
    assert non_integer_fraction(np.array([[-1, 2]])) == 0.5
    # sparse: only stored values count
    assert non_integer_fraction(sp.csr_matrix(np.array([[0, 0, 0.5, 2.0]]))) == 0.5
    assert np.isnan(non_integer_fraction(sp.csr_matrix((3, 3))))


def test_biased_mmd_is_zero_for_identical_samples_and_never_negative():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 5)), rng.normal(size=(80, 5))
    assert scgan.metrics.mmd(x, x, biased=True) == pytest.approx(0.0, abs=1e-12)
    biased, unbiased = scgan.metrics.mmd(x, y, biased=True), scgan.metrics.mmd(x, y)
    assert biased > 0 and biased > unbiased
    # the V-statistic adds at most the cells' kernels with themselves (3 kernels of 1 each) over the sample sizes
    assert biased - unbiased < 3 / 60 + 3 / 80
    shifted = scgan.metrics.mmd(x, y + 1.0, biased=True)
    assert shifted > biased
