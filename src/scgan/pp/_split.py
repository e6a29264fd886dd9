"""Stratified train/test split of real cells, stored in `.obs`."""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd
from anndata import AnnData
from sklearn.model_selection import train_test_split

from scgan._utils import check_nonempty, check_obs_key


def split_indices(labels: np.ndarray, *, test_size: float, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/test row indices; labels with fewer than two cells stay in train, with a warning."""
    labels = np.asarray(labels).astype(str)
    names, counts = np.unique(labels, return_counts=True)
    too_small = names[counts < 2]
    if too_small.size:
        warnings.warn(
            f"Labels {list(too_small)} have fewer than 2 cells and cannot appear in both train and test; "
            "they stay in train only.",
            UserWarning,
            stacklevel=3,
        )
    splittable = np.flatnonzero(~np.isin(labels, too_small))
    train, test = train_test_split(
        splittable, test_size=test_size, stratify=labels[splittable], random_state=random_state
    )
    train = np.sort(np.concatenate([train, np.flatnonzero(np.isin(labels, too_small))]))
    return train, np.sort(test)


def split(
    adata: AnnData,
    key: str,
    *,
    test_size: float = 0.2,
    random_state: int = 0,
    key_added: str = "scgan_split",
    copy: bool = False,
) -> AnnData | None:
    """Split cells into a stratified real train and test set.

    Each label of `key` is split in the same proportion. A label with fewer than two cells cannot appear on
    both sides: it gets a warning and stays in train.

    Parameters
    ----------
    adata
        Annotated data matrix.
    key
        `.obs` column to stratify by, e.g. ``"cell_type"``.
    test_size
        Fraction of cells (0 < test_size < 1) held out as test.
    random_state
        Seed of the split.
    key_added
        `.obs` column that receives the split.
    copy
        Return a new AnnData instead of editing `adata` in place.

    Returns
    -------
    `None` if `copy=False`, else a new AnnData. Writes

    `.obs[key_added]`
        Categorical with categories ``["train", "test"]``.
    `.uns[key_added]['params']`
        The parameters used.
    """
    check_nonempty(adata)
    check_obs_key(adata, key)
    if isinstance(test_size, bool) or not isinstance(test_size, Real) or not 0 < test_size < 1:
        msg = f"test_size must be a fraction of cells strictly between 0 and 1, got {test_size!r}."
        raise ValueError(msg)
    labels = adata.obs[key]
    if labels.isna().any():
        msg = f"Column {key!r} has missing labels; fill or drop those cells before splitting."
        raise ValueError(msg)
    _, test = split_indices(labels.to_numpy(), test_size=test_size, random_state=random_state)
    adata = adata.copy() if copy else adata
    assignment = np.full(adata.n_obs, "train", dtype=object)
    assignment[test] = "test"
    adata.obs[key_added] = pd.Categorical(assignment, categories=["train", "test"])
    adata.uns[key_added] = {"params": {"key": key, "test_size": test_size, "random_state": random_state}}
    return adata if copy else None
