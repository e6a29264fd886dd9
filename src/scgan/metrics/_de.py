"""Differential expression recovery: the same genes, fold changes and signs between two groups of synthetic cells."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData
from scipy.stats import spearmanr

from scgan.metrics._fidelity import _pearson

# fewer cells than this in a group: no test
MIN_CELLS = 3
REST = "rest"


def rank_genes(lognorm, groups, *, group: str, reference: str = REST, method: str = "wilcoxon") -> pd.DataFrame | None:
    """Scanpy's :func:`~scanpy.tl.rank_genes_groups` of `group` against `reference`, one row per gene.

    Parameters
    ----------
    lognorm
        Cells x genes log1p-normalised expression (dense or scipy sparse).
    groups
        Group of each cell.
    group
        The group tested.
    reference
        The group it is tested against, or ``"rest"`` for all other cells.
    method
        Test of :func:`~scanpy.tl.rank_genes_groups` (``"wilcoxon"``, ``"t-test"``, ...).

    Returns
    -------
    A DataFrame indexed by gene position (0 ... n_genes - 1) with ``score``, ``logfoldchange`` (log2, as scanpy
    computes it from the mean expression of each group) and ``pval_adj`` (Benjamini-Hochberg); None when
    either side has fewer than 3 cells.
    """
    groups = np.asarray(groups).astype(str)
    in_group = groups == group
    in_reference = ~in_group if reference == REST else groups == reference
    if in_group.sum() < MIN_CELLS or in_reference.sum() < MIN_CELLS:
        return None
    import scanpy as sc

    rows = np.flatnonzero(in_group | in_reference)
    values = lognorm[rows]
    values = values.toarray() if sp.issparse(values) else np.asarray(values)
    side = np.where(in_group[rows], "group", "reference")
    adata = AnnData(
        X=values.astype(np.float32),
        obs=pd.DataFrame({"side": pd.Categorical(side, categories=["group", "reference"])}, index=rows.astype(str)),
        var=pd.DataFrame(index=np.arange(values.shape[1]).astype(str)),
    )
    with warnings.catch_warnings():
        # genes constant in both groups give NaN statistics in some tests; they count as not significant
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        sc.tl.rank_genes_groups(
            adata, "side", groups=["group"], reference="reference", method=method, n_genes=adata.n_vars
        )
    table = sc.get.rank_genes_groups_df(adata, group="group")
    table.index = table["names"].astype(int)
    table = table.sort_index()
    return pd.DataFrame(
        {
            "score": table["scores"].fillna(0.0).to_numpy(),
            "logfoldchange": table["logfoldchanges"].fillna(0.0).to_numpy(),
            "pval_adj": table["pvals_adj"].fillna(1.0).to_numpy(),
        },
        index=table.index,
    )


def de_agreement(
    real_lognorm,
    real_groups,
    syn_lognorm,
    syn_groups,
    *,
    group: str,
    reference: str = REST,
    n_top: int = 50,
    alpha: float = 0.05,
    min_fraction: float = 0.1,
    method: str = "wilcoxon",
) -> dict[str, float]:
    """Whether synthetic cells reproduce the differential expression of `group` against `reference` in real cells.

    Scanpy's :func:`~scanpy.tl.rank_genes_groups` (`method`) is run on the real cells and, separately, on the
    synthetic cells, e.g. stimulated vs control cells of one cell type, or one cell type vs all other cells.

    - ``de_lfc_pearson``, ``de_lfc_spearman``: Pearson and Spearman correlation, over genes, of the log2 fold
      changes in real and in synthetic cells. Only genes detected in at least `min_fraction` of the real cells
      of `group` or of `reference` enter: the fold change of a gene seen in neither is scanpy's pseudocount
      ratio, noise that would dominate a Pearson correlation.
    - ``de_top_overlap``: fraction of the `n_top` top genes of the real cells (by absolute test score, up or
      down) that are also among the `n_top` top genes of the synthetic cells.
    - ``de_sign_agreement``: among genes significant in the real cells (adjusted p-value below `alpha`), the
      fraction whose fold change has the same sign in synthetic cells.

    Parameters
    ----------
    real_lognorm, real_groups
        Real cells x genes log1p-normalised expression (dense or scipy sparse) and the group of each cell.
    syn_lognorm, syn_groups
        Synthetic cells x the same genes, and their groups.
    group, reference
        The contrast: `group` against `reference`, or against all other cells with ``"rest"``.
    n_top
        Size of the top-gene sets.
    alpha
        Significance level of the real cells' adjusted p-values.
    min_fraction
        Detection threshold of the genes whose fold changes are correlated.
    method
        Test of :func:`~scanpy.tl.rank_genes_groups`.

    Returns
    -------
    ``de_lfc_pearson``, ``de_lfc_spearman``, ``de_top_overlap`` and ``de_sign_agreement``, each 1 at best. NaN
    when a group has fewer than 3 cells on a side; ``de_sign_agreement`` also when no gene is significant in
    the real cells, and the correlations when fewer than 3 genes pass `min_fraction`.
    """
    keys = ("de_lfc_pearson", "de_lfc_spearman", "de_top_overlap", "de_sign_agreement")
    if real_lognorm.shape[1] != syn_lognorm.shape[1]:
        msg = f"real and synthetic expression have {real_lognorm.shape[1]} and {syn_lognorm.shape[1]} genes; pass the same genes."
        raise ValueError(msg)
    real = rank_genes(real_lognorm, real_groups, group=group, reference=reference, method=method)
    synthetic = rank_genes(syn_lognorm, syn_groups, group=group, reference=reference, method=method)
    if real is None or synthetic is None:
        return dict.fromkeys(keys, float("nan"))
    detected = _detected(real_lognorm, real_groups, group=group, reference=reference, min_fraction=min_fraction)
    real_lfc, synthetic_lfc = real["logfoldchange"].to_numpy(), synthetic["logfoldchange"].to_numpy()
    values = dict.fromkeys(keys, float("nan"))
    if detected.sum() >= 3:
        values["de_lfc_pearson"] = _pearson(real_lfc[detected], synthetic_lfc[detected])
        if np.ptp(real_lfc[detected]) > 0 and np.ptp(synthetic_lfc[detected]) > 0:
            values["de_lfc_spearman"] = float(spearmanr(real_lfc[detected], synthetic_lfc[detected]).statistic)
    n_top = min(n_top, real.shape[0])
    real_top = set(np.argsort(-np.abs(real["score"].to_numpy()), kind="stable")[:n_top])
    synthetic_top = set(np.argsort(-np.abs(synthetic["score"].to_numpy()), kind="stable")[:n_top])
    values["de_top_overlap"] = len(real_top & synthetic_top) / n_top
    significant = real["pval_adj"].to_numpy() < alpha
    if significant.any():
        values["de_sign_agreement"] = float(
            (np.sign(real_lfc[significant]) == np.sign(synthetic_lfc[significant])).mean()
        )
    return values


def _detected(lognorm, groups, *, group: str, reference: str, min_fraction: float) -> np.ndarray:
    """Genes with expression in at least `min_fraction` of the cells of `group` or of `reference`."""
    groups = np.asarray(groups).astype(str)
    in_group = groups == group
    in_reference = ~in_group if reference == REST else groups == reference
    fractions = [np.asarray((lognorm[mask] > 0).mean(axis=0)).ravel() for mask in (in_group, in_reference)]
    return np.maximum(*fractions) >= min_fraction
