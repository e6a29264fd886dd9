"""Generate synthetic cells from a trained model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from anndata import AnnData

from scgan.model import SCGAN


def generate(model: SCGAN, n_cells: int | Mapping | pd.DataFrame, *, random_state: int = 0) -> AnnData:
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

    Returns
    -------
    A new AnnData: `.X` CSR integer counts (int32) with the training `.var`; `.obs` with the condition columns
    as categoricals with the training categories, ``'scgan_synthetic'`` (True) and ``'library_size'``;
    unique `.obs_names`; `.uns['scgan']` with the parameters and the model summary.
    """
    return model.generate(n_cells, random_state=random_state)
