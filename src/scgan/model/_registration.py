"""Registration of an AnnData with the model: fields, categories, covariates, and bounded samples of its cells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from anndata import AnnData
from scvi import REGISTRY_KEYS
from scvi.data import AnnDataManager
from scvi.data.fields import CategoricalJointObsField, LayerField, NumericalJointObsField, ObsmField

from scgan._utils import as_key_list, check_obs_key, get_matrix, iter_row_chunks
from scgan.model._training_plan import OBSM_COVARIATES_KEY, batch_conditions
from scgan.pp import check_counts

# The generation pool keeps every cell up to this many; larger data keep a stratified sample of this size.
MAX_POOL_CELLS = 20_000
# ... with at least this many cells of each joint condition (all of a smaller one).
MIN_POOL_CELLS_PER_CONDITION = 200


def register_fields(
    adata: AnnData,
    *,
    condition_keys: str | Sequence[str] | None,
    layer: str | None,
    covariate_keys: str | Sequence[str] | None,
    covariate_obsm_key: str | None,
    setup_method_args: dict,
) -> AnnDataManager:
    """Check `adata` and register its counts and conditions with a new :class:`~scvi.data.AnnDataManager`."""
    # type(), not isinstance: scvi-tools' CollectionAdapter claims to be an AnnData but has no `.X`, and every
    # adapter shares one `.uns`, where the registration lives
    if not issubclass(type(adata), AnnData):
        msg = (
            f"scgan trains from one AnnData, in memory or backed; got {type(adata).__name__}. For cells spread over "
            "several files, join them on disk with anndata.experimental.concat_on_disk and open the result with "
            "anndata.read_h5ad(path, backed='r')."
        )
        raise TypeError(msg)
    check_counts(adata, layer=layer)
    keys = as_key_list(condition_keys)
    numeric = as_key_list(covariate_keys)
    for key in keys + numeric:
        check_obs_key(adata, key)
    for key in keys:
        if adata.obs[key].isna().any():
            msg = f"Condition column {key!r} has missing values; fill or drop those cells."
            raise ValueError(msg)
    for key in numeric:
        if not pd.api.types.is_numeric_dtype(adata.obs[key]):
            msg = f"Covariate column {key!r} must be numeric; use condition_keys for categorical columns."
            raise ValueError(msg)
    if covariate_obsm_key is not None and covariate_obsm_key not in adata.obsm:
        msg = f"{covariate_obsm_key!r} not found in adata.obsm. Available: {list(adata.obsm.keys())}."
        raise KeyError(msg)
    if not keys and not numeric and covariate_obsm_key is None:
        msg = "Pass at least one condition: condition_keys, covariate_keys or covariate_obsm_key."
        raise ValueError(msg)
    fields = [
        LayerField(REGISTRY_KEYS.X_KEY, layer, is_count_data=True),
        CategoricalJointObsField(REGISTRY_KEYS.CAT_COVS_KEY, keys or None),
        NumericalJointObsField(REGISTRY_KEYS.CONT_COVS_KEY, numeric or None),
    ]
    if covariate_obsm_key is not None:
        fields.append(ObsmField(OBSM_COVARIATES_KEY, covariate_obsm_key))
    manager = AnnDataManager(fields=fields, setup_method_args=setup_method_args)
    manager.register_fields(adata)
    return manager


def registered_categories(manager: AnnDataManager, condition_keys: list[str]) -> dict[str, list[str]]:
    """Condition column -> its categories, in the order of the codes the model sees."""
    if not condition_keys:
        return {}
    state = manager.get_state_registry(REGISTRY_KEYS.CAT_COVS_KEY)
    return {key: list(map(str, state.mappings[key])) for key in condition_keys}


def registered_covariate_names(manager: AnnDataManager, setup_args: dict) -> list[str]:
    """Names of the continuous covariates: numeric `.obs` columns, then ``'<obsm key>:<column>'``."""
    names = list(as_key_list(setup_args["covariate_keys"]))
    if OBSM_COVARIATES_KEY in manager.data_registry:
        state = manager.get_state_registry(OBSM_COVARIATES_KEY)
        names += [f"{setup_args['covariate_obsm_key']}:{c}" for c in state.column_names]
    return names


def registered_conditions(manager: AnnDataManager) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Categorical codes and continuous covariates of every cell (`.obs` and `.obsm` are always in memory)."""
    batch = {}
    for key in (REGISTRY_KEYS.CAT_COVS_KEY, REGISTRY_KEYS.CONT_COVS_KEY, OBSM_COVARIATES_KEY):
        if key in manager.data_registry:
            batch[key] = torch.as_tensor(np.asarray(manager.get_from_registry(key), dtype=np.float32))
    return batch_conditions(batch)


def library_sizes(adata: AnnData, layer: str | None) -> np.ndarray:
    """Total counts of every cell, read in row blocks (a backed matrix is never loaded whole)."""
    matrix = get_matrix(adata, layer)
    sizes = [np.asarray(block.sum(axis=1)).ravel() for _, block in iter_row_chunks(matrix)]
    return np.concatenate(sizes).astype(np.float32)


def read_rows(adata: AnnData, layer: str | None, rows: np.ndarray) -> torch.Tensor:
    """Dense float counts of a few rows (sorted, as backed files need), in the order given."""
    rows = np.asarray(rows)
    order = np.argsort(rows)
    block = get_matrix(adata, layer)[rows[order]]
    block = block.toarray() if sp.issparse(block) else np.asarray(block)
    out = np.empty_like(block, dtype=np.float32)
    out[order] = block
    return torch.from_numpy(out)


__all__ = [
    "MAX_POOL_CELLS",
    "MIN_POOL_CELLS_PER_CONDITION",
    "library_sizes",
    "read_rows",
    "register_fields",
    "registered_categories",
    "registered_conditions",
    "registered_covariate_names",
]
