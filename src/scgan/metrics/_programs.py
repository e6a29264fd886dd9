"""Gene programs: whether genes vary together in synthetic cells as they do in real cells."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from scgan.metrics._fidelity import _pearson


def _gene_correlations(lognorm, max_cells: int, rng: np.random.Generator) -> np.ndarray:
    """Gene x gene Pearson correlations across cells; NaN for a gene constant in these cells."""
    if lognorm.shape[0] > max_cells:
        lognorm = lognorm[np.sort(rng.choice(lognorm.shape[0], max_cells, replace=False))]
    values = lognorm.toarray() if sp.issparse(lognorm) else np.asarray(lognorm)
    values = values.astype(np.float64) - values.mean(axis=0)
    scale = np.sqrt((values**2).sum(axis=0))
    scale[scale == 0] = np.nan
    values = values / scale
    return values.T @ values


def gene_program_agreement(real_lognorm, syn_lognorm, *, max_cells: int = 5000, random_state: int = 0) -> float:
    """Agreement of gene-gene correlation matrices of real and synthetic cells.

    The Pearson correlation of every pair of genes is computed across the real cells and across the synthetic
    cells; the score is the Pearson correlation, over gene pairs, of the two upper triangles. Co-regulated
    genes (programs such as an interferon response or a cell-cycle signature) keep their correlation only if
    the generator models genes jointly; a generator with the right per-gene marginals but independent genes
    scores about 0.

    Parameters
    ----------
    real_lognorm, syn_lognorm
        Cells x genes log-normalised expression (dense or scipy sparse), the same genes in the same order: a
        few dozen to a few hundred highly variable genes.
    max_cells
        Each side is subsampled to at most this many cells.
    random_state
        Seed of the subsampling.

    Returns
    -------
    The correlation of the two sets of gene-pair correlations (1 = the same programs); pairs with a gene
    constant on either side are left out. NaN when a side has fewer than 3 cells or fewer than 2 pairs remain.
    """
    if real_lognorm.shape[1] != syn_lognorm.shape[1]:
        msg = f"real and synthetic expression have {real_lognorm.shape[1]} and {syn_lognorm.shape[1]} genes; pass the same genes."
        raise ValueError(msg)
    if min(real_lognorm.shape[0], syn_lognorm.shape[0]) < 3:
        return float("nan")
    rng = np.random.default_rng(random_state)
    upper = np.triu_indices(real_lognorm.shape[1], k=1)
    real = _gene_correlations(real_lognorm, max_cells, rng)[upper]
    synthetic = _gene_correlations(syn_lognorm, max_cells, rng)[upper]
    kept = np.isfinite(real) & np.isfinite(synthetic)
    if kept.sum() < 2:
        return float("nan")
    return _pearson(real[kept], synthetic[kept])
