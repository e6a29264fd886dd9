"""Validation that a matrix holds raw non-negative integer counts."""

from __future__ import annotations

import numpy as np
from anndata import AnnData

from scgan._utils import block_values, check_nonempty, get_matrix, iter_row_chunks, layer_name


def _first_bad(values: np.ndarray) -> tuple[int, str] | None:
    """Index and reason of the first value that is not a finite non-negative integer."""
    values = np.ravel(values)
    if values.dtype.kind in "iub":
        negative = np.flatnonzero(values < 0) if values.dtype.kind == "i" else np.array([], dtype=int)
        return (int(negative[0]), "negative") if negative.size else None
    checks = (
        (np.isnan(values), "NaN"),
        (np.isinf(values), "infinite"),
        (values < 0, "negative"),
        (values != np.round(values), "not an integer"),
    )
    for mask, reason in checks:
        hits = np.flatnonzero(mask)
        if hits.size:
            return int(hits[0]), reason
    return None


def _check_unique_genes(adata: AnnData) -> None:
    """Raise if two genes share a name: they would be trained apart and come out under one name twice."""
    duplicated = adata.var_names[adata.var_names.duplicated()].unique()
    if duplicated.size:
        msg = (
            f"Gene names must be unique, but adata.var_names repeats {duplicated.size} of them, e.g. "
            f"{list(duplicated[:5])}. Call adata.var_names_make_unique() first (or sum the duplicated genes)."
        )
        raise ValueError(msg)


def check_counts(adata: AnnData, *, layer: str | None = None) -> None:
    """Check that a matrix holds raw counts (finite, non-negative integers) of uniquely named genes.

    Works on CSR, CSC and dense matrices and on backed AnnData, reading the matrix in row blocks
    so it is never densified whole.

    Parameters
    ----------
    adata
        Annotated data matrix, cells x genes.
    layer
        Layer holding the counts; `None` checks `adata.X`.

    Returns
    -------
    None. Nothing is written to `adata`.

    Raises
    ------
    ValueError
        If the data are empty, a gene name occurs twice in `adata.var_names` (the message names some), or any
        value is NaN, infinite, negative or not an integer (the message names the layer and the first bad value).
    KeyError
        If `layer` is not in `adata.layers`.
    """
    check_nonempty(adata)
    matrix = get_matrix(adata, layer)
    _check_unique_genes(adata)
    for _, block in iter_row_chunks(matrix):
        values = block_values(block)
        bad = _first_bad(values)
        if bad is not None:
            index, reason = bad
            msg = (
                f"{layer_name(layer)} must hold raw counts (non-negative integers), but it contains a value that is "
                f"{reason}: {values.ravel()[index]!r}. Pass the raw UMI counts, e.g. from adata.raw or a 'counts' layer "
                "(layer='counts'), not normalised or log-transformed values."
            )
            raise ValueError(msg)
