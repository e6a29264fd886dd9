import numpy as np
import scipy.sparse as sp

import scgan
from scgan.datasets._pbmc68k import INTEGER_TOLERANCE, pbmc68k_counts_float


def test_pbmc68k_recovers_integer_counts():
    counts, _ = pbmc68k_counts_float()
    # a change in scanpy's file must not pass silently
    assert np.abs(counts - np.round(counts)).max() < INTEGER_TOLERANCE


def test_pbmc68k(pbmc68k):
    assert pbmc68k.shape == (700, 765)
    assert sp.issparse(pbmc68k.X) and pbmc68k.X.dtype.kind == "i"
    assert pbmc68k.X.min() >= 0 and pbmc68k.X.sum() > 0
    assert pbmc68k.obs["cell_type"].value_counts().min() == 8
    assert pbmc68k.obs["cell_type"].nunique() == 10
    scgan.pp.check_counts(pbmc68k)


def test_simulate_is_seeded_and_structured():
    a = scgan.datasets.simulate(n_cells=600, n_genes=150, n_cell_types=3, rare_fraction=0.05, random_state=1)
    b = scgan.datasets.simulate(n_cells=600, n_genes=150, n_cell_types=3, rare_fraction=0.05, random_state=1)
    c = scgan.datasets.simulate(n_cells=600, n_genes=150, n_cell_types=3, rare_fraction=0.05, random_state=2)
    assert (a.X != b.X).nnz == 0
    assert (a.X != c.X).nnz > 0
    assert a.X.dtype == np.int32
    assert (a.obs["cell_type"] == "rare").sum() == 30
    assert set(a.obs["condition"].cat.categories) == {"ctrl", "stim"}
    # the rare type expresses its markers more than the others do
    markers = (a.var["marker_of"] == "rare").to_numpy()
    rare = (a.obs["cell_type"] == "rare").to_numpy()
    norm = a.X.toarray() / a.X.sum(1).A
    assert norm[rare][:, markers].mean() > 3 * norm[~rare][:, markers].mean()
    # the response program is switched on by stimulation
    response = a.var["response"].to_numpy()
    stim = (a.obs["condition"] == "stim").to_numpy()
    assert norm[stim][:, response].mean() > 1.5 * norm[~stim][:, response].mean()
    # library sizes differ between types
    library = np.asarray(a.X.sum(1)).ravel()
    medians = [np.median(library[(a.obs["cell_type"] == t).to_numpy()]) for t in a.obs["cell_type"].cat.categories]
    assert max(medians) / min(medians) > 1.2


def test_simulate_without_condition():
    a = scgan.datasets.simulate(n_cells=100, n_genes=100, n_cell_types=2, n_markers=5, n_conditions=None)
    assert "condition" not in a.obs


def test_simulate_genotypes_effects():
    adata = scgan.datasets.simulate_genotypes(n_cells=1200, random_state=3)
    assert adata.obsm["snps"].shape == (1200, 10) and adata.n_vars == 50
    groups = adata.obs["genotype_group"]
    carried = adata.obsm["snps"].mean(1)
    assert carried[(groups == "mostly_absent").to_numpy()].mean() < 0.2
    assert carried[(groups == "mostly_present").to_numpy()].mean() > 0.8
    rates = scgan.datasets.activation_rates(adata.X, adata.obsm["snps"], threshold=12)
    np.testing.assert_allclose(rates["present"], 0.7, atol=0.07)
    np.testing.assert_allclose(rates["absent"], 0.3, atol=0.07)
    scgan.pp.check_counts(adata)
