"""scvi-tools' SCVI as the baseline generator: condition columns as categorical covariates, posterior samples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from anndata import AnnData

from scgan._utils import as_key_list, categorical, check_nonempty, check_obs_key, get_matrix, to_csr

if TYPE_CHECKING:
    import scvi

# joins the values of several condition columns into one label; no cell type or condition name contains it
_SEPARATOR = "\x1f"


def train_scvi(
    adata: AnnData,
    *,
    key: str | Sequence[str],
    layer: str | None = None,
    max_epochs: int | None = None,
    random_state: int = 0,
    train_kwargs: Mapping | None = None,
    **model_kwargs,
) -> scvi.model.SCVI:
    """Train scvi-tools' SCVI with the condition columns as categorical covariates.

    A categorical covariate, unlike ``labels_key``, reaches SCVI's decoder, so a cell is decoded as its own
    condition: the strong variant of the baseline.

    Parameters
    ----------
    adata
        Counts of the training cells (in `.X` or `layer`) with the condition columns in `.obs`.
    key
        Condition column(s), e.g. ``"cell_type"`` or ``["cell_type", "condition"]``.
    layer
        Layer holding the counts; `None` for `.X`.
    max_epochs
        `None` for scvi-tools' default (its heuristic for the number of cells).
    random_state
        Seed, set through ``scvi.settings.seed``.
    train_kwargs
        Passed to :meth:`scvi.model.SCVI.train` (progress bar off unless given).
    **model_kwargs
        Passed to :class:`scvi.model.SCVI` (``n_latent``, ``n_layers``, ...).

    Returns
    -------
    The trained model, set up on a copy of the counts and condition columns; `adata` is not changed.
    """
    import scvi

    keys = _checked_keys(adata, key)
    data = AnnData(
        X=to_csr(get_matrix(adata, layer)),
        obs=pd.DataFrame({name: categorical(adata.obs[name]) for name in keys}, index=adata.obs_names),
        var=pd.DataFrame(index=adata.var_names),
    )
    scvi.model.SCVI.setup_anndata(data, categorical_covariate_keys=keys)
    scvi.settings.seed = random_state
    model = scvi.model.SCVI(data, **model_kwargs)
    model.train(max_epochs=max_epochs, **{"enable_progress_bar": False, **(train_kwargs or {})})
    return model


def sample_scvi(model: scvi.model.SCVI, n_cells: int | Mapping | pd.DataFrame, *, random_state: int = 0) -> AnnData:
    """Posterior predictive samples of a trained SCVI's own cells of the requested conditions.

    Each requested cell is the sample of one training cell of its condition, drawn so that every such cell is
    used once before any is used twice.

    Parameters
    ----------
    model
        An SCVI from :func:`train_scvi`.
    n_cells
        As for :func:`scgan.tl.generate`: an int (cells drawn from all training cells), a mapping condition ->
        number of cells (tuples of values as keys for several condition columns), or a DataFrame with the
        condition columns and one row per cell.
    random_state
        Seed of the choice of training cells and of the sampling.

    Returns
    -------
    A new AnnData: `.X` CSR int32 counts with the model's genes; `.obs` with the condition columns
    (categoricals with the training categories) and ``'source_cell'``, the training cell each sample decodes.
    """
    import scvi

    data = model.adata
    keys = list(model.registry_["setup_args"]["categorical_covariate_keys"])
    source = _source_cells(data.obs[keys], n_cells, rng=np.random.default_rng(random_state))
    scvi.settings.seed = random_state
    samples = model.posterior_predictive_sample(indices=source, n_samples=1)
    counts = to_csr(samples.to_scipy_sparse())
    counts.data = np.rint(counts.data)
    obs = data.obs[keys].iloc[source].reset_index(drop=True)
    obs["source_cell"] = data.obs_names[source].to_numpy()
    obs.index = [f"scvi_{i}" for i in range(len(source))]
    return AnnData(X=counts.astype(np.int32), obs=obs, var=pd.DataFrame(index=data.var_names))


def scvi_samples(
    adata: AnnData,
    *,
    key: str | Sequence[str],
    n_cells: int | Mapping | pd.DataFrame,
    random_state: int = 0,
    layer: str | None = None,
    max_epochs: int | None = None,
    train_kwargs: Mapping | None = None,
    **model_kwargs,
) -> AnnData:
    """The scVI baseline in one call: :func:`train_scvi` on `adata`, then :func:`sample_scvi`.

    Parameters
    ----------
    adata
        Counts of the training cells with the condition columns in `.obs`.
    key
        Condition column(s), categorical covariates of SCVI.
    n_cells
        Cells wanted, as for :func:`sample_scvi`.
    random_state
        Seed of the training and the sampling.
    layer, max_epochs, train_kwargs, **model_kwargs
        As for :func:`train_scvi` (scvi-tools' defaults unless given).

    Returns
    -------
    The synthetic cells of :func:`sample_scvi`.
    """
    model = train_scvi(
        adata,
        key=key,
        layer=layer,
        max_epochs=max_epochs,
        random_state=random_state,
        train_kwargs=train_kwargs,
        **model_kwargs,
    )
    return sample_scvi(model, n_cells, random_state=random_state)


def _checked_keys(adata: AnnData, key: str | Sequence[str]) -> list[str]:
    check_nonempty(adata)
    keys = as_key_list(key)
    if not keys:
        msg = "Pass at least one condition column as `key`, e.g. key='cell_type'."
        raise ValueError(msg)
    for name in keys:
        check_obs_key(adata, name)
    return keys


def _source_cells(conditions: pd.DataFrame, n_cells: int | Mapping | pd.DataFrame, *, rng) -> np.ndarray:
    """Training cells to decode, one per requested cell, in the order of the request."""
    if isinstance(n_cells, int | np.integer):
        return _evenly(np.arange(len(conditions)), int(n_cells), rng)
    keys = list(conditions.columns)
    requested = _requested(n_cells, keys)
    train_codes = _codes(conditions, keys)
    wanted_codes = _codes(requested, keys)
    source = np.empty(len(requested), dtype=np.intp)
    for code in pd.unique(wanted_codes):
        positions = np.flatnonzero(wanted_codes == code)
        candidates = np.flatnonzero(train_codes == code)
        if candidates.size == 0:
            msg = (
                f"No training cell has the condition {dict(zip(keys, code.split(_SEPARATOR), strict=True))}; "
                f"request conditions of {keys} that occur in the training cells."
            )
            raise ValueError(msg)
        source[positions] = _evenly(candidates, positions.size, rng)
    return source


def _requested(n_cells: Mapping | pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The request as one row of condition values per cell."""
    if isinstance(n_cells, pd.DataFrame):
        missing = [name for name in keys if name not in n_cells.columns]
        if missing:
            msg = f"The requested conditions lack the columns {missing}; pass a DataFrame with columns {keys}."
            raise KeyError(msg)
        return n_cells[keys]
    rows = []
    for condition, count in n_cells.items():
        values = condition if isinstance(condition, tuple) else (condition,)
        if len(values) != len(keys):
            msg = f"Condition {condition!r} has {len(values)} values; the model is conditioned on {keys}."
            raise ValueError(msg)
        rows += [values] * int(count)
    return pd.DataFrame(rows, columns=keys)


def _codes(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One string per row joining its condition values, to match requested and training cells."""
    columns = [frame[name].astype(str).to_numpy() for name in keys]
    return np.array([_SEPARATOR.join(values) for values in zip(*columns, strict=True)], dtype=object)


def _evenly(candidates: np.ndarray, n_cells: int, rng) -> np.ndarray:
    """`n_cells` of `candidates` in random order, each used once before any is used twice."""
    rounds = -(-n_cells // max(candidates.size, 1))
    return np.concatenate([rng.permutation(candidates) for _ in range(rounds)] or [candidates[:0]])[:n_cells]
