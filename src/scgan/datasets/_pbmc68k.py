"""Real 10x PBMC counts recovered from the copy that ships inside scanpy (no download)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scanpy as sc
import scipy.sparse as sp
from anndata import AnnData

# scanpy stores log1p(counts per 10k) of 765 genes; the rounding error of the recovered counts is below this
INTEGER_TOLERANCE = 0.1


def pbmc68k_counts_float() -> tuple[np.ndarray, AnnData]:
    """Recovered counts before rounding and the scanpy object they came from."""
    source = sc.datasets.pbmc68k_reduced()
    log_norm = source.raw.X
    log_norm = log_norm.toarray() if sp.issparse(log_norm) else np.asarray(log_norm)
    library = source.obs["n_counts"].to_numpy(dtype=np.float64)[:, None]
    return np.expm1(log_norm.astype(np.float64)) * library / 1e4, source


def pbmc68k() -> AnnData:
    """700 PBMCs x 765 genes of real 10x counts, labelled by cell type.

    scanpy ships ``pbmc68k_reduced`` with log-normalised values in ``.raw`` and each cell's library size in
    ``obs['n_counts']``; ``round(expm1(raw.X) * n_counts / 1e4)`` gives the integer counts back.

    Returns
    -------
    AnnData with

    `.X`
        CSR matrix of integer counts (int32).
    `.obs['cell_type']`
        Categorical, scanpy's ``bulk_labels`` (10 types, the rarest with 8 cells).
    `.obs['n_counts_original']`
        Library size over all genes of the original experiment.
    """
    counts, source = pbmc68k_counts_float()
    deviation = float(np.abs(counts - np.round(counts)).max())
    if deviation > INTEGER_TOLERANCE:
        msg = (
            f"scanpy's pbmc68k_reduced no longer converts back to integer counts (largest deviation {deviation:.3f}); "
            "its file has changed, so scgan.datasets.pbmc68k() cannot be trusted with this scanpy version."
        )
        raise RuntimeError(msg)
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical(source.obs["bulk_labels"].astype(str)),
            "n_counts_original": source.obs["n_counts"].to_numpy(),
        },
        index=source.obs_names.copy(),
    )
    var = pd.DataFrame(index=source.raw.var_names.copy())
    return AnnData(X=sp.csr_matrix(np.round(counts).astype(np.int32)), obs=obs, var=var)
