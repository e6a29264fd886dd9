"""de_agreement: known answers for identical, swapped and shuffled groups, and real halves that agree."""

import numpy as np
import pytest
import scipy.sparse as sp

import scgan
from scgan.metrics import de_agreement, rank_genes
from scgan.metrics._features import log1p_cp10k

KEYS = {"de_lfc_pearson", "de_lfc_spearman", "de_top_overlap", "de_sign_agreement"}


@pytest.fixture(scope="module")
def stimulated():
    """Log1p counts per 10k of one simulated cell type, ctrl and stim, in two halves."""
    adata = scgan.datasets.simulate(
        n_cells=600, n_genes=150, n_cell_types=2, rare_fraction=0.3, n_response_genes=20, random_state=0
    )
    adata = adata[adata.obs["cell_type"] == "type_0"]
    lognorm, groups = log1p_cp10k(adata.X), adata.obs["condition"].astype(str).to_numpy()
    half = np.arange(adata.n_obs) % 2 == 0
    return (lognorm[half], groups[half]), (lognorm[~half], groups[~half]), adata.var["response"].to_numpy()


def test_rank_genes_finds_the_response(stimulated):
    (lognorm, groups), _, response = stimulated
    table = rank_genes(lognorm, groups, group="stim", reference="ctrl")
    assert list(table.columns) == ["score", "logfoldchange", "pval_adj"]
    assert list(table.index) == list(range(lognorm.shape[1]))
    top = np.argsort(-table["score"].to_numpy())[: response.sum()]
    assert response[top].mean() > 0.9
    assert (table.loc[response, "logfoldchange"] > 0).all()
    assert rank_genes(lognorm[:4], groups[:4], group="stim", reference="ctrl") is None


def test_identical_cells_agree_exactly(stimulated):
    (lognorm, groups), *_ = stimulated
    values = de_agreement(lognorm, groups, lognorm.copy(), groups, group="stim", reference="ctrl")
    assert set(values) == KEYS
    assert values == pytest.approx(dict.fromkeys(KEYS, 1.0))
    assert de_agreement(sp.csr_matrix(lognorm), groups, lognorm, groups, group="stim", reference="ctrl") == values


def test_swapped_groups_flip_every_sign(stimulated):
    (lognorm, groups), *_ = stimulated
    swapped = np.where(groups == "stim", "ctrl", "stim")
    values = de_agreement(lognorm, groups, lognorm, swapped, group="stim", reference="ctrl")
    assert values["de_lfc_pearson"] == pytest.approx(-1.0)
    assert values["de_lfc_spearman"] == pytest.approx(-1.0)
    assert values["de_sign_agreement"] == 0.0
    assert values["de_top_overlap"] == 1.0  # the same genes, ranked by absolute score


def test_real_halves_agree_and_shuffled_genes_do_not(stimulated):
    (a, a_groups), (b, b_groups), _ = stimulated
    # the 20 response genes are the top 20 on both sides; 20 random genes of 150 would overlap by about 0.13
    halves = de_agreement(a, a_groups, b, b_groups, group="stim", reference="ctrl", n_top=20)
    assert halves["de_lfc_pearson"] > 0.8 and halves["de_top_overlap"] > 0.8 and halves["de_sign_agreement"] > 0.85
    shuffled = b[:, np.random.default_rng(0).permutation(b.shape[1])]
    values = de_agreement(a, a_groups, shuffled, b_groups, group="stim", reference="ctrl", n_top=20)
    assert values["de_lfc_pearson"] < 0.3 and values["de_top_overlap"] < 0.3 and values["de_sign_agreement"] < 0.8


def test_one_group_against_the_rest_and_missing_groups(stimulated):
    (a, a_groups), (b, b_groups), _ = stimulated
    rest = de_agreement(a, a_groups, b, b_groups, group="stim", n_top=10)
    assert rest["de_lfc_pearson"] > 0.8
    assert all(np.isnan(value) for value in de_agreement(a, a_groups, b, b_groups, group="ghost").values())
    with pytest.raises(ValueError, match="150 and 149 genes"):
        de_agreement(a, a_groups, b[:, 1:], b_groups, group="stim")
