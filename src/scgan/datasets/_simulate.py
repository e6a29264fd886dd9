"""Seeded negative-binomial counts with known cell types, a rare type and an optional condition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData


def simulate(
    *,
    n_cells: int = 2000,
    n_genes: int = 500,
    n_cell_types: int = 4,
    rare_fraction: float = 0.03,
    n_markers: int = 20,
    marker_fold: float = 6.0,
    n_conditions: int | None = 2,
    n_response_genes: int = 15,
    dispersion: float = 5.0,
    mean_library_size: float = 2000.0,
    random_state: int = 0,
) -> AnnData:
    """Simulate counts of cell types with their own marker programs, one of them rare.

    Gene base expression is log-normal; each cell type raises its own `n_markers` genes by `marker_fold`.
    The last type is rare (`rare_fraction` of cells). With `n_conditions`, a second phenotype column
    ``condition`` ('ctrl', 'stim', ...) switches on a response program whose strength depends on the cell
    type. Library sizes differ between types (a type factor) and within types (log-normal). Counts are
    negative binomial with inverse dispersion `dispersion`.

    Parameters
    ----------
    n_cells, n_genes
        Size of the matrix.
    n_cell_types
        Number of cell types, the last of which is rare.
    rare_fraction
        Fraction of cells of the rare type.
    n_markers, marker_fold
        Marker genes per type and their fold change.
    n_conditions
        Number of conditions in ``obs['condition']``; `None` for no condition column.
    n_response_genes
        Genes of the response program switched on by the non-control conditions.
    dispersion
        Inverse dispersion (theta) of the negative binomial; larger is closer to Poisson.
    mean_library_size
        Typical total counts per cell.
    random_state
        Seed; the same seed gives the same data.

    Returns
    -------
    AnnData with CSR int32 counts in `.X`, `.obs['cell_type']` (categorical ``type_0`` ... with the rare type
    last, named ``rare``), `.obs['condition']` when requested, `.var['marker_of']` (the type whose marker a
    gene is, or ``''``), `.var['response']` (bool) and `.uns['simulate']` with the parameters.
    """
    if n_cell_types < 2:
        msg = f"n_cell_types must be at least 2 (one of them rare), got {n_cell_types}."
        raise ValueError(msg)
    if not 0 < rare_fraction < 1:
        msg = f"rare_fraction must be between 0 and 1, got {rare_fraction}."
        raise ValueError(msg)
    if n_markers * n_cell_types + n_response_genes > n_genes:
        msg = (
            f"n_genes={n_genes} is too small for {n_cell_types} types x {n_markers} markers plus "
            f"{n_response_genes} response genes."
        )
        raise ValueError(msg)
    params = {
        "n_cells": n_cells,
        "n_genes": n_genes,
        "n_cell_types": n_cell_types,
        "rare_fraction": rare_fraction,
        "random_state": random_state,
    }
    if n_conditions is not None:
        params["n_conditions"] = n_conditions
    rng = np.random.default_rng(random_state)
    type_names = [f"type_{i}" for i in range(n_cell_types - 1)] + ["rare"]
    n_rare = max(2, round(rare_fraction * n_cells))
    common = rng.multinomial(n_cells - n_rare, np.full(n_cell_types - 1, 1 / (n_cell_types - 1)))
    cell_type = np.repeat(np.arange(n_cell_types), np.append(common, n_rare))
    rng.shuffle(cell_type)

    base = rng.lognormal(mean=0.0, sigma=1.2, size=n_genes)
    log_fold = np.zeros((n_cell_types, n_genes))
    marker_of = np.full(n_genes, "", dtype=object)
    marker_genes = rng.permutation(n_genes)[: n_cell_types * n_markers + n_response_genes]
    for t in range(n_cell_types):
        genes = marker_genes[t * n_markers : (t + 1) * n_markers]
        log_fold[t, genes] = np.log(marker_fold)
        marker_of[genes] = type_names[t]
    response_genes = marker_genes[n_cell_types * n_markers :]
    profiles = base * np.exp(log_fold)

    obs = {"cell_type": pd.Categorical.from_codes(cell_type, categories=type_names)}
    if n_conditions is not None:
        condition_names = ["ctrl", "stim"] if n_conditions == 2 else [f"condition_{i}" for i in range(n_conditions)]
        condition = rng.integers(0, n_conditions, size=n_cells)
        # the response strength depends on the cell type: cell-type x condition interaction
        strength = rng.uniform(1.0, np.log(marker_fold), size=n_cell_types)
        response = np.zeros((n_cells, n_genes))
        response[:, response_genes] = (condition > 0)[:, None] * strength[cell_type][:, None]
        obs["condition"] = pd.Categorical.from_codes(condition, categories=condition_names)
    else:
        response = 0.0

    proportions = profiles[cell_type] * np.exp(response)
    proportions /= proportions.sum(axis=1, keepdims=True)
    type_depth = rng.uniform(0.6, 1.5, size=n_cell_types)
    library = mean_library_size * type_depth[cell_type] * rng.lognormal(0.0, 0.35, size=n_cells)
    mean = proportions * library[:, None]
    counts = rng.negative_binomial(dispersion, dispersion / (dispersion + mean))

    is_response = np.zeros(n_genes, dtype=bool)
    is_response[response_genes] = True
    return AnnData(
        X=sp.csr_matrix(counts.astype(np.int32)),
        obs=pd.DataFrame(obs, index=[f"cell_{i}" for i in range(n_cells)]),
        var=pd.DataFrame(
            {"marker_of": marker_of.astype(str), "response": is_response}, index=[f"gene_{i}" for i in range(n_genes)]
        ),
        uns={"simulate": {"params": params}},
    )
