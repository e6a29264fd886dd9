"""gene_program_agreement: 1 for identical cells, high for two samples, about 0 once genes are made independent."""

import numpy as np
import pytest
import scipy.sparse as sp

from scgan.metrics import gene_program_agreement


def programs(n_cells, *, seed):
    """Log-expression of 40 genes driven by 4 programs (10 genes each) plus gene noise."""
    rng = np.random.default_rng(seed)
    loadings = np.kron(np.eye(4), np.ones((1, 10))) * np.random.default_rng(0).uniform(0.5, 1.5, size=(1, 40))
    return np.log1p(np.exp(rng.normal(size=(n_cells, 4)) @ loadings + rng.normal(scale=0.7, size=(n_cells, 40))))


def independent(values, *, seed):
    """Each gene's values permuted across cells on its own: the same marginals, no correlation between genes."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.permutation(column) for column in values.T])


def test_identical_and_two_samples():
    cells = programs(300, seed=1)
    assert gene_program_agreement(cells, cells.copy()) == pytest.approx(1.0)
    assert gene_program_agreement(cells, programs(300, seed=2)) > 0.9
    assert gene_program_agreement(sp.csr_matrix(cells), cells) == pytest.approx(1.0)


def test_independent_genes_and_shuffled_gene_order():
    cells = programs(300, seed=1)
    assert abs(gene_program_agreement(cells, independent(programs(300, seed=2), seed=0))) < 0.2
    shuffled = programs(300, seed=2)[:, np.random.default_rng(0).permutation(40)]
    assert gene_program_agreement(cells, shuffled) < 0.3


def test_constant_genes_small_sides_and_errors():
    cells = programs(100, seed=1)
    with_constant = cells.copy()
    with_constant[:, 0] = 1.0
    assert gene_program_agreement(cells, with_constant) > 0.9  # the constant gene's pairs are left out
    assert np.isnan(gene_program_agreement(cells[:2], cells))
    assert np.isnan(gene_program_agreement(np.ones((10, 3)), cells[:10, :3]))
    with pytest.raises(ValueError, match="40 and 39 genes"):
        gene_program_agreement(cells, cells[:, 1:])
