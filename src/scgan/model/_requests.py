"""Generation requests: a number of cells, a mapping label -> cells, or a table of conditions, as one row per cell."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

from scgan.module import ConditionalGAN


def cell_count(value, *, what: str, minimum: int) -> int:
    """A number of cells as an int, or a ValueError naming `what` and the accepted forms."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        msg = (
            f"{what} must be an integer >= {minimum}, got {value!r}. Pass a number of cells, a mapping "
            "label -> number of cells, or a DataFrame with one row per cell."
        )
        raise ValueError(msg)
    return int(value)


def condition_codes(table: pd.DataFrame, categories: dict[str, list[str]]) -> torch.Tensor:
    """Integer codes (cells x condition columns) of the labels in `table`, in the model's category order."""
    codes = [pd.Categorical(table[k].astype(str), categories=cats).codes for k, cats in categories.items()]
    return torch.as_tensor(np.stack(codes, axis=1), dtype=torch.long)


def condition_table(
    request,
    *,
    categories: dict[str, list[str]],
    covariate_names: list[str],
    module: ConditionalGAN,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per requested cell: its condition labels and continuous covariate values.

    `request` is an int (conditions of randomly drawn training cells, so in training proportions), a mapping
    label -> number of cells (tuples of labels for several condition columns; covariates of training cells of
    the same condition), or a DataFrame with the condition columns and covariates of each cell.
    """
    keys = list(categories)
    if isinstance(request, pd.DataFrame):
        missing = [c for c in keys + covariate_names if c not in request.columns]
        if missing:
            msg = f"The conditions DataFrame lacks columns {missing}; it needs {keys + covariate_names}."
            raise KeyError(msg)
        table = request[keys + covariate_names].reset_index(drop=True)
    elif isinstance(request, Mapping):
        table = _check_labels(_table_from_mapping(request, keys), categories)
        if covariate_names:
            table[covariate_names] = _draw_covariates(table, categories, module, rng)
    else:
        n_cells = cell_count(request, what="n_cells", minimum=1)
        rows = module.draw_pool_rows(n_cells, rng)
        codes = module.pool_categorical[rows].numpy()
        table = pd.DataFrame({k: np.asarray(categories[k])[codes[:, i]] for i, k in enumerate(keys)})
        if covariate_names:
            table[covariate_names] = module.pool_continuous[rows].numpy()
    return _check_labels(table, categories)


def _check_labels(table: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Labels as strings; a ValueError for labels the model was not trained on."""
    for key, known in categories.items():
        table[key] = table[key].astype(str)
        unknown = sorted(set(table[key]) - set(known))
        if unknown:
            msg = f"Unknown {key!r} labels {unknown}; the model knows {known}."
            raise ValueError(msg)
    return table


def _table_from_mapping(request: Mapping, keys: list[str]) -> pd.DataFrame:
    rows = []
    for label, count in request.items():
        label = label if isinstance(label, tuple) else (label,)
        if len(label) != len(keys):
            msg = (
                f"Label {label} does not name one value per condition column {keys}; "
                "use tuples as keys, or a DataFrame of conditions."
            )
            raise ValueError(msg)
        rows += [label] * cell_count(count, what=f"the number of cells for {label}", minimum=0)
    if not rows:
        msg = f"The mapping {dict(request)} asks for no cells; give at least one label a positive count."
        raise ValueError(msg)
    return pd.DataFrame(rows, columns=keys)


def _draw_covariates(
    table: pd.DataFrame, categories: dict[str, list[str]], module: ConditionalGAN, rng: np.random.Generator
) -> np.ndarray:
    """Continuous covariates of training cells of the same condition, for requests that name labels only."""
    pool = module.joint_group(module.pool_categorical).numpy()
    wanted = module.joint_group(condition_codes(table, categories)).numpy()
    values = np.empty((len(table), module.n_continuous), dtype=np.float32)
    for group in np.unique(wanted):
        candidates = np.flatnonzero(pool == group)
        if candidates.size == 0:
            candidates = np.arange(len(pool))
        cells = wanted == group
        values[cells] = module.pool_continuous[rng.choice(candidates, size=int(cells.sum()))].numpy()
    return values
