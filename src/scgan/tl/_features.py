"""AnnData side of the shared feature space: highly variable genes chosen on real training cells."""

from __future__ import annotations

import warnings

import scanpy as sc
from anndata import AnnData

from scgan._utils import get_matrix


def hvg_names(adata: AnnData, *, n_top_genes: int, layer: str | None = None) -> list[str]:
    """Names of the `n_top_genes` most variable genes of real counts (seurat_v3), in `adata.var` order."""
    if n_top_genes >= adata.n_vars:
        return list(adata.var_names)
    counts = AnnData(X=get_matrix(adata, layer), var=adata.var[[]].copy())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expects raw count data.*")
        table = sc.pp.highly_variable_genes(counts, flavor="seurat_v3", n_top_genes=n_top_genes, inplace=False)
    return list(adata.var_names[table["highly_variable"].to_numpy()])
