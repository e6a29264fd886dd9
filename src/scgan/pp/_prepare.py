"""Highly variable gene selection on counts, keeping the counts."""

from __future__ import annotations

import warnings
from numbers import Integral

import scanpy as sc
from anndata import AnnData

from scgan.pp._check_counts import check_counts

# highly variable genes kept for training and for the PCA of evaluation and plots (Seurat's default number)
N_TOP_GENES = 2000


def prepare(
    adata: AnnData,
    *,
    n_top_genes: int = N_TOP_GENES,
    layer: str | None = None,
    batch_key: str | None = None,
    copy: bool = False,
) -> AnnData | None:
    """Keep the highly variable genes of a count matrix, with the counts unchanged.

    Genes are ranked with scanpy's ``seurat_v3`` flavour, which works on raw counts, and the data are
    subset to the top `n_top_genes`. Counts are checked first, so normalised data fail with a clear error.

    Parameters
    ----------
    adata
        Annotated data matrix of raw counts, cells x genes.
    n_top_genes
        Number of highly variable genes to keep (at least 1). If the data have fewer genes, all are kept.
    layer
        Layer holding the counts; `None` uses `adata.X`.
    batch_key
        Optional `.obs` column of batches, passed to :func:`scanpy.pp.highly_variable_genes`.
    copy
        Return a new AnnData instead of editing `adata` in place.

    Returns
    -------
    `None` if `copy=False`, else a new AnnData. Either way the data are subset to the selected genes and
    these fields are written:

    `.var['highly_variable']`, `.var['highly_variable_rank']`, `.var['variances_norm']`
        scanpy's HVG statistics (bool, float, float).
    `.uns['scgan_prepare']['params']`
        The parameters used.
    """
    if isinstance(n_top_genes, bool) or not isinstance(n_top_genes, Integral) or n_top_genes < 1:
        msg = f"n_top_genes must be a positive integer (a number of genes), got {n_top_genes!r}."
        raise ValueError(msg)
    check_counts(adata, layer=layer)
    adata = adata.copy() if copy else adata
    n_keep = min(n_top_genes, adata.n_vars)
    with warnings.catch_warnings():
        # seurat_v3 warns that it expects counts: they were checked above
        warnings.filterwarnings("ignore", message=".*expects raw count data.*")
        sc.pp.highly_variable_genes(
            adata, flavor="seurat_v3", n_top_genes=n_keep, layer=layer, batch_key=batch_key, subset=True
        )
    adata.uns["scgan_prepare"] = {"params": {"n_top_genes": n_top_genes, "layer": layer, "batch_key": batch_key}}
    return adata if copy else None
