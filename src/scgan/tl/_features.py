"""AnnData side of the shared feature space: highly variable genes chosen on real training cells."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scanpy as sc
from anndata import AnnData

from scgan._utils import get_matrix

# genes detected in fewer cells are not candidates (as scanpy's filter_genes(min_cells=3)): seurat_v3's loess
# fails with "near singularities" on genes seen in one or two cells of a small subset
MIN_CELLS_PER_GENE = 3


def hvg_names(adata: AnnData, *, n_top_genes: int, layer: str | None = None) -> list[str]:
    """Names of the `n_top_genes` most variable genes of real counts (seurat_v3), in `adata.var` order."""
    if n_top_genes >= adata.n_vars:
        return list(adata.var_names)
    counts = get_matrix(adata, layer)
    detected = np.asarray((counts != 0).sum(axis=0)).ravel()
    candidates = detected >= min(MIN_CELLS_PER_GENE, adata.n_obs)
    if not candidates.any():
        msg = f"No gene has counts in {MIN_CELLS_PER_GENE} of the {adata.n_obs} real cells; pass more real cells."
        raise ValueError(msg)
    if n_top_genes >= candidates.sum():
        return list(adata.var_names[candidates])
    subset = AnnData(X=counts[:, candidates], var=pd.DataFrame(index=adata.var_names[candidates]))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expects raw count data.*")
        table = sc.pp.highly_variable_genes(subset, flavor="seurat_v3", n_top_genes=n_top_genes, inplace=False)
    chosen = set(subset.var_names[table["highly_variable"].to_numpy()])
    return [gene for gene in adata.var_names if gene in chosen]
