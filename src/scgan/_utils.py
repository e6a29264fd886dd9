"""Shared input checks and matrix access used by every layer that touches AnnData."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData

CHUNK_ROWS = 2048


def layer_name(layer: str | None) -> str:
    """Human-readable name of a layer for error messages."""
    return "adata.X" if layer is None else f"adata.layers[{layer!r}]"


def check_nonempty(adata: AnnData) -> None:
    """Raise if `adata` has no cells or no genes."""
    if adata.n_obs == 0 or adata.n_vars == 0:
        msg = f"AnnData is empty ({adata.n_obs} cells x {adata.n_vars} genes); pass data with cells and genes."
        raise ValueError(msg)


def check_obs_key(adata: AnnData, key: str) -> None:
    """Raise a KeyError naming the available `.obs` columns if `key` is missing."""
    if key not in adata.obs.columns:
        msg = f"Column {key!r} not found in adata.obs. Available columns: {list(adata.obs.columns)}."
        raise KeyError(msg)


def as_key_list(keys: str | Sequence[str] | None) -> list[str]:
    """Turn one column name, a list of them or None into a list."""
    if keys is None:
        return []
    if isinstance(keys, str):
        return [keys]
    return list(keys)


def get_matrix(adata: AnnData, layer: str | None = None):
    """Return `.X` or `.layers[layer]`, raising a KeyError that lists the layers if it is missing."""
    if layer is None:
        return adata.X
    if layer not in adata.layers:
        msg = f"Layer {layer!r} not found. Available layers: {list(adata.layers.keys())}; use layer=None for adata.X."
        raise KeyError(msg)
    return adata.layers[layer]


def iter_row_chunks(matrix, chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[int, np.ndarray | sp.spmatrix]]:
    """Yield `(start_row, block)` over row blocks, so large or backed matrices are never loaded whole."""
    n_rows = matrix.shape[0]
    for start in range(0, n_rows, chunk_rows):
        yield start, matrix[start : min(start + chunk_rows, n_rows)]


def block_values(block) -> np.ndarray:
    """Stored values of a block: the non-zeros of a sparse block, every entry of a dense one."""
    if sp.issparse(block):
        return np.asarray(block.data)
    return np.asarray(block)


def to_csr(block) -> sp.csr_matrix:
    """Return a block as CSR without densifying sparse input."""
    if sp.issparse(block):
        return sp.csr_matrix(block)
    return sp.csr_matrix(np.asarray(block))


def categorical(values: pd.Series) -> pd.Series:
    """Return `values` as a pandas categorical (labels as strings when they were not categorical)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    return values.astype(str).astype("category")


def jsonable(value):
    """Plain JSON types: mappings and sequences converted item by item, numpy scalars and arrays to Python.

    Anything else is returned as it is, so it also serves as ``json.dumps(..., default=jsonable)``.
    """
    if isinstance(value, dict):
        return {str(name): jsonable(item) for name, item in value.items()}
    if isinstance(value, tuple | list):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def is_integer(value) -> bool:
    """Whether `value` is an integer (Python or numpy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value) -> bool:
    """Whether `value` is a finite real number (Python or numpy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def stratified_sample(groups: np.ndarray, *, max_cells: int, min_per_group: int, random_state: int) -> np.ndarray:
    """Sorted rows of a stratified sample of at most about `max_cells` (every row if there are no more).

    Each group keeps its share of the sample but at least `min_per_group` cells (all of a smaller group).
    """
    n_cells = len(groups)
    if n_cells <= max_cells:
        return np.arange(n_cells)
    rng = np.random.default_rng(random_state)
    names, sizes = np.unique(groups, return_counts=True)
    keep = np.minimum(sizes, np.maximum(min_per_group, np.round(max_cells * sizes / n_cells).astype(int)))
    rows = [
        rng.choice(np.flatnonzero(groups == name), size=k, replace=False) for name, k in zip(names, keep, strict=True)
    ]
    return np.sort(np.concatenate(rows))
