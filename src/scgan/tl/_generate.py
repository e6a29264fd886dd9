"""Generate synthetic cells from a trained model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from anndata import AnnData

if TYPE_CHECKING:
    from scgan.model import SCGAN


def generate(
    model: SCGAN,
    n_cells: int | Mapping | pd.DataFrame,
    *,
    random_state: int = 0,
    filename: str | Path | None = None,
) -> AnnData:
    """Generate synthetic cells as integer counts.

    Parameters
    ----------
    model
        A trained :class:`~scgan.model.SCGAN`.
    n_cells
        An int (conditions in training proportions), a mapping label -> number of cells (tuples of labels as
        keys when the model has several condition columns), or a DataFrame with one row per cell holding the
        condition columns (and continuous covariates).
    random_state
        Seed; the same seed gives the same cells.
    filename
        Write the cells in blocks to this `.h5ad` file (atomically) instead of memory, for requests larger than
        memory; the file is returned opened backed.

    Returns
    -------
    A new AnnData: `.X` CSR integer counts (int32) with the training `.var`; `.obs` with the condition columns
    as categoricals with the training categories, ``'scgan_synthetic'`` (True) and ``'library_size'``;
    unique `.obs_names`; `.uns['scgan']` with the parameters and the model summary.
    """
    return model.generate(n_cells, random_state=random_state, filename=filename)
