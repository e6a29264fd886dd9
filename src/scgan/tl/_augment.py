"""Top up classes of real cells with synthetic ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import anndata as ad
import numpy as np
import pandas as pd
from anndata import AnnData

if TYPE_CHECKING:
    from scgan.model import SCGAN

from scgan._utils import check_nonempty, check_obs_key


def synthetic_needed(counts: pd.Series, target: str | int | Mapping) -> dict[str, int]:
    """Synthetic cells per label to reach `target`: 'balance' (the largest class), an int, or label -> count."""
    if isinstance(target, str):
        if target != "balance":
            msg = f"target must be 'balance', an int or a mapping label -> count, got {target!r}."
            raise ValueError(msg)
        goal = dict.fromkeys(counts.index, int(counts.max()))
    elif isinstance(target, Mapping):
        unknown = sorted(set(map(str, target)) - set(map(str, counts.index)))
        if unknown:
            msg = f"Unknown labels {unknown} in target; known labels: {list(counts.index)}."
            raise ValueError(msg)
        goal = {str(k): int(v) for k, v in target.items()}
    else:
        goal = dict.fromkeys(counts.index, int(target))
    return {str(k): max(0, v - int(counts.get(k, 0))) for k, v in goal.items() if v > counts.get(k, 0)}


def augment(
    adata: AnnData,
    model: SCGAN,
    *,
    key: str,
    target: str | int | Mapping = "balance",
    random_state: int = 0,
) -> AnnData:
    """Real cells plus synthetic cells that bring each class of `key` up to a target size.

    Parameters
    ----------
    adata
        Real cells (counts in `.X`).
    model
        A trained model conditioned on `key` alone.
    key
        `.obs` column of the classes to top up.
    target
        ``'balance'``: every class up to the largest; an int: every class up to that many cells; a mapping
        label -> total cells wanted.
    random_state
        Seed of the synthetic cells.

    Returns
    -------
    A new AnnData of the real cells followed by the synthetic ones (:func:`anndata.concat`, genes of the
    model), with `.obs['scgan_origin']` categorical in ``{'real', 'synthetic'}`` and `.obs[key]`;
    `.uns['scgan_augment']` holds the number of cells added per label.
    """
    check_nonempty(adata)
    check_obs_key(adata, key)
    if model.condition_keys != [key]:
        msg = f"The model is conditioned on {model.condition_keys}; augment needs a model conditioned on [{key!r}]."
        raise ValueError(msg)
    needed = synthetic_needed(adata.obs[key].astype(str).value_counts(), target)
    real = adata.copy()
    real.obs["scgan_origin"] = "real"
    parts = [real]
    if needed:
        synthetic = model.generate(needed, random_state=random_state)
        synthetic.obs["scgan_origin"] = "synthetic"
        parts.append(synthetic)
    out = ad.concat(parts, join="inner", merge="first")
    out.obs["scgan_origin"] = pd.Categorical(out.obs["scgan_origin"], categories=["real", "synthetic"])
    out.obs[key] = pd.Categorical(out.obs[key].astype(str))
    out.obs["scgan_synthetic"] = (out.obs["scgan_origin"] == "synthetic").to_numpy(dtype=bool)
    out.uns["scgan_augment"] = {"key": key, "added": {k: np.int64(v) for k, v in needed.items()}}
    return out
